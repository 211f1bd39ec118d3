/**
 * Padmé padding (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication
 * with PURBs", PETS 2019, section 4): a length L is rounded up so that only its top
 * floor(log2(floor(log2 L))) + 1 bits may be non-zero. Overhead is at most ~12%, and a length leaks
 * O(log log L) bits instead of log L, so a relay cannot tell batches apart by their exact sizes.
 */

/** The smallest Padmé length >= `length`. */
export function padme(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`padme: a length is a non-negative integer, got ${length}`);
  if (length < 2) return length;
  const e = Math.floor(Math.log2(length));
  const s = Math.floor(Math.log2(e)) + 1;
  const lastBits = e - s;
  const mask = 2 ** lastBits - 1;
  // (length + mask) & ~mask, in floating point so that lengths above 2^31 stay exact.
  return Math.ceil(length / (mask + 1)) * (mask + 1);
}

export const isPadmeLength = (length: number): boolean => padme(length) === length;
