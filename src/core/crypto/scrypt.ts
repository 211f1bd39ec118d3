/**
 * scrypt (RFC 7914) for passphrase-derived keys. Pure JS (@noble/hashes) so a backup made in the
 * browser opens in Node and back. The async form yields to the event loop, so a page stays
 * responsive during the ~1 s derivation.
 */
import { scryptAsync } from "@noble/hashes/scrypt.js";

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelism. */
  readonly p: number;
}

/** OWASP's recommended minimum (2^17, 8, 1): 128 MiB and about 1.5 s here. */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

/**
 * Bounds for parameters read from a file someone else wrote: a hostile backup could otherwise ask
 * for gigabytes of memory or hours of work. Memory is 128 * N * r bytes; work grows with N * r * p.
 */
export const SCRYPT_LIMITS = {
  minLog2N: 10,
  maxLog2N: 20,
  maxR: 32,
  maxP: 16,
  maxMemoryBytes: 256 * 1024 * 1024,
  maxWork: 2 ** 22, // N * r * p: four times the default
} as const;

/** Why parameters are refused, or undefined when they are within SCRYPT_LIMITS. */
export function checkScryptParams(params: ScryptParams): string | undefined {
  const { N, r, p } = params;
  if (![N, r, p].every((v) => Number.isSafeInteger(v) && v > 0)) return "N, r and p must be positive integers";
  const log2N = Math.log2(N);
  if (!Number.isInteger(log2N)) return `N must be a power of two, got ${N}`;
  if (log2N < SCRYPT_LIMITS.minLog2N || log2N > SCRYPT_LIMITS.maxLog2N) {
    return `N must be between 2^${SCRYPT_LIMITS.minLog2N} and 2^${SCRYPT_LIMITS.maxLog2N}, got 2^${log2N}`;
  }
  if (r > SCRYPT_LIMITS.maxR) return `r must be at most ${SCRYPT_LIMITS.maxR}, got ${r}`;
  if (p > SCRYPT_LIMITS.maxP) return `p must be at most ${SCRYPT_LIMITS.maxP}, got ${p}`;
  if (128 * N * r > SCRYPT_LIMITS.maxMemoryBytes) return `N and r would need ${(128 * N * r) / 2 ** 20} MiB, more than ${SCRYPT_LIMITS.maxMemoryBytes / 2 ** 20} MiB`;
  if (N * r * p > SCRYPT_LIMITS.maxWork) return `N * r * p must be at most 2^${Math.log2(SCRYPT_LIMITS.maxWork)}`;
  return undefined;
}

/** Derives `length` bytes; throws TypeError for parameters outside SCRYPT_LIMITS (check them first). */
export async function scryptDerive(passphrase: Uint8Array, salt: Uint8Array, params: ScryptParams, length: number): Promise<Uint8Array> {
  const problem = checkScryptParams(params);
  if (problem) throw new TypeError(`scrypt parameters out of range: ${problem}`);
  return scryptAsync(passphrase, salt, { N: params.N, r: params.r, p: params.p, dkLen: length, maxmem: SCRYPT_LIMITS.maxMemoryBytes + 1024 * 1024 });
}
