/**
 * Proof-of-work join stamps for open pools (issue 12; ledger/README.md, "Open pools"). A stranger
 * pays for a `member.join` with about 20 s of one core: a nonce whose
 * `SHA-256("edgepool/join/v1" \0 pool \0 did \0 epoch \0 || nonce)` starts with `bits` zero bits.
 * The stamp names the joiner's DID and the epoch, so it cannot be reused by another identity or
 * stockpiled for later epochs; the fold checks it with one hash. A GPU solves it far faster: it is a
 * speed bump for Sybils, not the defence (probation, the join cap and MeritRank are).
 */
import { bytesToHex, concatBytes, hexToBytes, randomBytes, sha256, sha256WithPrefix, utf8 } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";
import type { PoolId } from "./pool.ts";

const STAMP_DOMAIN = "edgepool/join/v1";
export const NONCE_BYTES = 8;
/** About 20 s of one core in JavaScript here (~2^22 SHA-256 per 20 s); a pool may choose 8..32. */
export const DEFAULT_STAMP_BITS = 22;
export const MIN_STAMP_BITS = 8;
export const MAX_STAMP_BITS = 32;

export interface JoinStamp {
  /** The epoch (UTC day, ledger/README.md) the stamp was made for. */
  readonly epoch: number;
  /** 8 bytes, hex. */
  readonly nonce: string;
}

export interface StampSubject {
  readonly pool: PoolId;
  readonly did: Did;
}

export type StampRefusalReason = "malformed-stamp" | "stamp-too-weak" | "stamp-stale-epoch";
export type StampCheck = { readonly ok: true } | { readonly ok: false; readonly reason: StampRefusalReason; readonly message: string };

const stampPrefix = (subject: StampSubject, epoch: number): Uint8Array =>
  utf8(`${STAMP_DOMAIN}\0${subject.pool}\0${subject.did}\0${epoch}\0`);

/** The number of leading zero bits of a digest. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/**
 * Checks a stamp for `subject` against the pool's difficulty, judged at `currentEpoch` (the epoch
 * of the join entry's time): the stamp's epoch must be that epoch or the one before, so a stamp
 * solved just before midnight still counts and none can be stockpiled.
 */
export function checkJoinStamp(stamp: unknown, subject: StampSubject, bits: number, currentEpoch: number): StampCheck {
  if (typeof stamp !== "object" || stamp === null) return { ok: false, reason: "malformed-stamp", message: "a join stamp must be an object { epoch, nonce }" };
  const { epoch, nonce } = stamp as Record<string, unknown>;
  if (!Number.isSafeInteger(epoch) || (epoch as number) < 0) return { ok: false, reason: "malformed-stamp", message: "a join stamp's epoch must be a non-negative integer" };
  if (typeof nonce !== "string" || !/^[0-9a-f]{16}$/.test(nonce)) return { ok: false, reason: "malformed-stamp", message: "a join stamp's nonce must be 8 bytes in lower-case hex" };
  if (epoch !== currentEpoch && epoch !== currentEpoch - 1) {
    return { ok: false, reason: "stamp-stale-epoch", message: `the join stamp was made for epoch ${epoch as number}; only epoch ${currentEpoch} or ${currentEpoch - 1} counts` };
  }
  const digest = sha256(concatBytes(stampPrefix(subject, epoch as number), hexToBytes(nonce)));
  const zeros = leadingZeroBits(digest);
  if (zeros < bits) return { ok: false, reason: "stamp-too-weak", message: `the join stamp has ${zeros} leading zero bits; this pool asks for ${bits}` };
  return { ok: true };
}

export interface SolveOptions {
  /** Called about every `reportEvery` hashes with the number tried so far and the expected total. */
  readonly onProgress?: (tried: number, expected: number) => void;
  readonly signal?: AbortSignal;
  /** Hashes per slice between yields to the event loop (keeps a page responsive). */
  readonly sliceSize?: number;
  /** The nonce to start from (tests); default random. The low 32 bits count up from it. */
  readonly start?: Uint8Array;
}

export type SolveResult = { readonly ok: true; readonly stamp: JoinStamp; readonly tried: number } | { readonly ok: false; readonly reason: "aborted"; readonly message: string };

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Searches nonces until one meets `bits`; yields between slices and honours `signal`. */
export async function solveJoinStamp(subject: StampSubject, bits: number, epoch: number, options: SolveOptions = {}): Promise<SolveResult> {
  const hashWithPrefix = sha256WithPrefix(stampPrefix(subject, epoch));
  const sliceSize = options.sliceSize ?? 20_000;
  const expected = 2 ** bits;
  const nonce = Uint8Array.from(options.start ?? randomBytes(NONCE_BYTES));
  const view = new DataView(nonce.buffer);
  let tried = 0;
  for (;;) {
    if (options.signal?.aborted) return { ok: false, reason: "aborted", message: "solving the join stamp was cancelled" };
    for (let i = 0; i < sliceSize; i++) {
      // Wraps after 2^32 tries, far beyond any difficulty a pool may set (MAX_STAMP_BITS).
      view.setUint32(4, (view.getUint32(4) + 1) >>> 0);
      tried++;
      if (leadingZeroBits(hashWithPrefix(nonce)) >= bits) return { ok: true, stamp: { epoch, nonce: bytesToHex(nonce) }, tried };
    }
    options.onProgress?.(tried, expected);
    await yieldToEventLoop();
  }
}
