/** The crypto boundary: nothing outside src/core/crypto imports a crypto library directly. */
export * from "./bytes.ts";
export * from "./hash.ts";
export * from "./ed25519.ts";
