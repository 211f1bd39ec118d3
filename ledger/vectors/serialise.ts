/** How the vector files are written (shared by the generator and the test that checks them). */
export const serialise = (value: unknown): string => JSON.stringify(value, null, 2) + "\n";
