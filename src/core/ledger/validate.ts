/**
 * Stateless validation: everything about one entry that does not depend on other entries, in the
 * order of ledger/README.md ("Validation", steps 1-8). Cheap checks run before the signature.
 * Only `future-time` depends on the reader's clock; such an entry is held and checked again later.
 */
import { verify as verifyDefault, type SignatureVerifier, type VerifyResult } from "../crypto/index.ts";
import { publicKeyOfDid } from "../identity/did-key.ts";
import type { Authoriser } from "./authoriser.ts";
import { decodeEntry, isSignedHere } from "./codec.ts";
import { KIND_RULES } from "./kinds.ts";
import { checkBody } from "./schema.ts";
import { reject, type PoolId, type Result, type SignedEntry } from "./types.ts";

export interface ValidationContext {
  readonly pool: PoolId;
  readonly authoriser: Authoriser;
  /** The reader's clock in ms (injected: tests and the simulator control it). */
  readonly now: () => number;
  /** How far in the future an entry's time may be, in ms. */
  readonly skewMs: number;
  /** An Ed25519 verifier applying EdgePool's signature rule (default: crypto's `verify`; Node may pass `verifyNode`). */
  readonly verify?: SignatureVerifier;
}

export type { SignatureVerifier };

export const DEFAULT_SKEW_MS = 120_000;

/** A validation context from ledger options (defaults filled in). */
export const contextOf = (options: { pool: PoolId; authoriser: Authoriser; now: () => number; skewMs?: number; verify?: SignatureVerifier }): ValidationContext => ({
  pool: options.pool,
  authoriser: options.authoriser,
  now: options.now,
  skewMs: options.skewMs ?? DEFAULT_SKEW_MS,
  ...(options.verify ? { verify: options.verify } : {}),
});

/** Checks one entry up to its proof; the fold then decides equivocation, order and authority. */
export async function validateEntry(bytes: unknown, context: ValidationContext): Promise<Result<{ signed: SignedEntry }>> {
  const [result] = await validateMany([bytes], context);
  return result!;
}

/** An entry that passed every check before its signature; `signing` is what the signature covers (undefined: signed here). */
interface Prechecked {
  readonly signed: SignedEntry;
  readonly signing: Uint8Array | undefined;
}

/** Decodes entry bytes and runs the checks that come before the signature. */
function precheck(bytes: unknown, context: ValidationContext): Result<Prechecked> {
  const decoded = decodeEntry(bytes);
  if (!decoded.ok) return decoded;
  return checkBeforeSignature(decoded.signed, decoded.signing, context);
}

/**
 * `precheck` for an entry this node is about to append: one that `signEntry` produced in this
 * process with its author's key skips decoding and the signature check (isSignedHere); anything
 * else, the node's own or not, is validated from its bytes like a peer's.
 */
const precheckOutgoing = (signed: SignedEntry, context: ValidationContext): Result<Prechecked> =>
  isSignedHere(signed) ? checkBeforeSignature(signed, undefined, context) : precheck(signed.bytes, context);

function checkBeforeSignature(signed: SignedEntry, signing: Uint8Array | undefined, context: ValidationContext): Result<Prechecked> {
  const { entry } = signed;
  if (entry.pool !== context.pool) return reject("wrong-pool", `entry belongs to pool ${entry.pool.slice(0, 64)}, not ${context.pool}`);
  const rule = KIND_RULES[entry.kind];
  const problem = checkBody(rule.schema, entry.body) ?? rule.check?.(entry);
  if (problem) return reject("bad-body", `${entry.kind}: ${problem}`);
  const limit = context.now() + context.skewMs;
  if (entry.time > limit) return reject("future-time", `entry time ${entry.time} is ${entry.time - limit} ms past this node's clock plus the allowed skew`);
  return { ok: true, signed, signing };
}

/** The signature check (already in flight) and then the proof. */
async function checkSignatureAndProof(
  { signed }: Prechecked,
  signature: Promise<VerifyResult> | undefined,
  context: ValidationContext,
): Promise<Result<{ signed: SignedEntry }>> {
  const { entry } = signed;
  const verdict = await signature;
  if (verdict && !verdict.ok) return reject("bad-signature", `the signature does not verify for ${entry.author} (${verdict.reason})`);
  const proof = await context.authoriser.checkProof(entry);
  if (!proof.ok) return reject(proof.reason, proof.message);
  return { ok: true, signed };
}

/**
 * How many entries are decoded before their signatures go out together. Verifiers that run off
 * the main thread (node:crypto's thread pool, WebCrypto) then work on one chunk while the main
 * thread decodes the next; dispatching and awaiting one entry at a time cost the main thread
 * about as much again as decoding (wake-ups and promise turns per entry).
 */
const CHUNK = 256;

/** Validates many entries (each exactly as `validateEntry` would), overlapping decoding with signature checks. */
export function validateMany(items: readonly unknown[], context: ValidationContext): Promise<Array<Result<{ signed: SignedEntry }>>> {
  return validateStaged(items, context, precheck);
}

/** `validateMany` for entries this node is about to append (see `precheckOutgoing`). */
export function validateOutgoing(entries: readonly SignedEntry[], context: ValidationContext): Promise<Array<Result<{ signed: SignedEntry }>>> {
  return validateStaged(entries, context, precheckOutgoing);
}

async function validateStaged<T>(
  items: readonly T[],
  context: ValidationContext,
  stage: (item: T, context: ValidationContext) => Result<Prechecked>,
): Promise<Array<Result<{ signed: SignedEntry }>>> {
  const verify = context.verify ?? verifyDefault;
  const results: Array<Result<{ signed: SignedEntry }>> = [];
  let previous: Promise<Array<Result<{ signed: SignedEntry }>>> | undefined;
  for (let start = 0; start < items.length; start += CHUNK) {
    const staged = items.slice(start, start + CHUNK).map((item) => stage(item, context));
    const signatures = staged.map((s) => (s.ok && s.signing !== undefined ? verify(publicKeyOfDid(s.signed.entry.author), s.signing, s.signed.entry.sig) : undefined));
    const chunk = Promise.all(staged.map((s, i) => (s.ok ? checkSignatureAndProof(s, signatures[i], context) : s)));
    if (previous) results.push(...(await previous));
    previous = chunk;
  }
  if (previous) results.push(...(await previous));
  return results;
}
