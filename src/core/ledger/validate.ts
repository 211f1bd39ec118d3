/**
 * Stateless validation: everything about one entry that does not depend on other entries, in the
 * order of ledger/README.md ("Validation", steps 1-8). Cheap checks run before the signature.
 * Only `future-time` depends on the reader's clock; such an entry is held and checked again later.
 */
import { verify, type SignatureVerifier } from "../crypto/index.ts";
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
  const decoded = decodeEntry(bytes);
  if (!decoded.ok) return decoded;
  return checkEntry(decoded.signed, context, decoded.signing);
}

/**
 * `validateEntry` for an entry this node is about to append: one that `signEntry` produced in this
 * process with its author's key skips decoding and the signature check (isSignedHere); anything
 * else, the node's own or not, is validated from its bytes like a peer's.
 */
export const validateOutgoing = (signed: SignedEntry, context: ValidationContext): Promise<Result<{ signed: SignedEntry }>> =>
  isSignedHere(signed) ? checkEntry(signed, context, undefined) : validateEntry(signed.bytes, context);

/** Every rule after decoding; the signature over `signing` unless it is undefined (signed here). */
async function checkEntry(signed: SignedEntry, context: ValidationContext, signing: Uint8Array | undefined): Promise<Result<{ signed: SignedEntry }>> {
  const { entry } = signed;
  if (entry.pool !== context.pool) return reject("wrong-pool", `entry belongs to pool ${entry.pool.slice(0, 64)}, not ${context.pool}`);
  const rule = KIND_RULES[entry.kind];
  const problem = checkBody(rule.schema, entry.body) ?? rule.check?.(entry);
  if (problem) return reject("bad-body", `${entry.kind}: ${problem}`);
  const limit = context.now() + context.skewMs;
  if (entry.time > limit) return reject("future-time", `entry time ${entry.time} is ${entry.time - limit} ms past this node's clock plus the allowed skew`);
  if (signing !== undefined) {
    const signature = await (context.verify ?? verify)(publicKeyOfDid(entry.author), signing, entry.sig);
    if (!signature.ok) return reject("bad-signature", `the signature does not verify for ${entry.author} (${signature.reason})`);
  }
  const proof = await context.authoriser.checkProof(entry);
  if (!proof.ok) return reject(proof.reason, proof.message);
  return { ok: true, signed };
}

/**
 * Validates many entries with bounded concurrency: WebCrypto verifies run off the main thread,
 * so keeping several in flight uses both cores.
 */
export async function validateMany<T = unknown>(
  items: readonly T[],
  context: ValidationContext,
  concurrency = 64,
  validate: (item: T, context: ValidationContext) => Promise<Result<{ signed: SignedEntry }>> = validateEntry,
): Promise<Array<Result<{ signed: SignedEntry }>>> {
  const results = new Array<Result<{ signed: SignedEntry }>>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await validate(items[index]!, context);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
