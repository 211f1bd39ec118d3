/**
 * Verifies UCAN proof chains: signatures (through src/core/crypto's one signature rule), the
 * audience of each proof, the time window of each delegation against its proof's, and `prf:N`
 * references. These verdicts do not depend on the clock or on revocations, so they are cached
 * per token: a token seen before costs one map lookup. Time is checked on every call
 * (`checkTimes`), revocation by the caller.
 *
 * Fixes over @ucans/core 0.12's `validateProofs` (shared/TOOLCHAIN.md, UCAN): it compares the
 * wrong fields in its time-bounds check, accepts a non-canonical S, and ignores typ/aud/syntax.
 */
import { bytesToHex, sha256, utf8, verify, type SignatureVerifier } from "../crypto/index.ts";
import { refuse, type Refusal } from "./refusal.ts";
import { decodeToken, type UcanToken } from "./token.ts";

/** SHA-256 of the token string, hex: the name under which a token is revoked. */
export type TokenHash = string & { readonly __brand: "TokenHash" };

export const tokenHash = (encoded: string): TokenHash => bytesToHex(sha256(utf8(encoded))) as TokenHash;

export interface VerifiedToken {
  readonly token: UcanToken;
  /** Computed on first use (only revocation needs it) and kept: hashing is a third of a cold decode. */
  readonly hash: TokenHash;
  readonly proofs: readonly VerifiedToken[];
  /** Tokens on the longest path down to a token without proofs (1 for a root delegation). */
  readonly depth: number;
}

function verifiedToken(token: UcanToken, proofs: VerifiedToken[]): VerifiedToken {
  let hash: TokenHash | undefined;
  return {
    token,
    proofs,
    depth: 1 + Math.max(0, ...proofs.map((p) => p.depth)),
    get hash() {
      return (hash ??= tokenHash(token.encoded));
    },
  };
}

export type VerifyTokenResult = { ok: true; verified: VerifiedToken } | Refusal;

/**
 * Proof nesting beyond this is refused before any signature work (hostile input). Recursion is
 * bounded anyway: each level re-encodes its proofs (4/3 growth), so MAX_TOKEN_LENGTH allows ~25.
 */
const MAX_NESTING = 16;
const DEFAULT_CACHE_SIZE = 20_000;

export interface TokenVerifierOptions {
  /**
   * The Ed25519 verifier (EdgePool's one signature rule). Default: crypto's `verify` (WebCrypto or
   * noble, browser-safe); Node's composition roots pass `verifyNode`, which runs on the thread pool.
   */
  readonly verify?: SignatureVerifier;
  /** Tokens remembered (structure and verdicts, each). */
  readonly cacheSize?: number;
}

export class TokenVerifier {
  readonly #structures = new Map<string, VerifyTokenResult>();
  readonly #verdicts = new Map<string, Promise<VerifyTokenResult>>();
  readonly #verifySignature: SignatureVerifier;
  readonly cacheSize: number;

  constructor(options: TokenVerifierOptions = {}) {
    this.#verifySignature = options.verify ?? verify;
    this.cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  }

  /**
   * Everything but signatures, synchronously: decoding, proof addressing, time windows between
   * links, `prf:N` pointers. For callers that know the signatures were verified (the ledger's
   * fold only sees entries whose proof passed `verify`).
   */
  structure(encoded: string): VerifyTokenResult {
    const cached = this.#structures.get(encoded);
    return cached ?? remember(this.#structures, encoded, this.#structureCold(encoded), this.cacheSize);
  }

  /** `structure` plus every signature in the chain; cached by the token string. */
  verify(encoded: string): Promise<VerifyTokenResult> {
    const cached = this.#verdicts.get(encoded);
    if (cached) return cached;
    const result = this.#verifyCold(encoded);
    remember(this.#verdicts, encoded, result, this.cacheSize);
    return result;
  }

  #structureCold(encoded: string): VerifyTokenResult {
    const decoded = decodeToken(encoded);
    if (!decoded.ok) return decoded;
    const token = decoded.token;
    const proofs: VerifiedToken[] = [];
    for (const [index, encodedProof] of token.prf.entries()) {
      const proof = this.structure(encodedProof);
      if (!proof.ok) return { ...proof, message: `proof ${index}: ${proof.message}` };
      const problem = checkProofRelation(token, proof.verified.token, index);
      if (problem) return problem;
      proofs.push(proof.verified);
    }
    const pointerProblem = checkProofPointers(token);
    if (pointerProblem) return pointerProblem;
    const verified = verifiedToken(token, proofs);
    if (verified.depth > MAX_NESTING) return refuse("too-deep", `proofs nested ${verified.depth} deep; at most ${MAX_NESTING} are read`);
    return { ok: true, verified };
  }

  async #verifyCold(encoded: string): Promise<VerifyTokenResult> {
    const structured = this.structure(encoded);
    if (!structured.ok) return structured;
    const tokens = uniqueTokens(structured.verified);
    const verdicts = await Promise.all(tokens.map((t) => this.#verifySignature(t.issuerKey, utf8(t.signedData), t.signature)));
    const failed = verdicts.findIndex((v) => !v.ok);
    if (failed >= 0) {
      const token = tokens[failed]!;
      const reason = (verdicts[failed] as { reason: string }).reason;
      return refuse("bad-signature", `the signature of the delegation from ${token.iss} to ${token.aud} is not valid (${reason})`);
    }
    return structured;
  }
}

function remember<V>(cache: Map<string, V>, key: string, value: V, limit: number): V {
  if (cache.size >= limit) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

/** Every token in the chain once (a proof may appear under several delegations). */
function uniqueTokens(root: VerifiedToken): UcanToken[] {
  const seen = new Map<string, UcanToken>();
  const visit = (node: VerifiedToken): void => {
    if (seen.has(node.token.encoded)) return;
    seen.set(node.token.encoded, node.token);
    node.proofs.forEach(visit);
  };
  visit(root);
  return [...seen.values()];
}

/** A delegation must be issued by its proof's audience and live inside its proof's time window. */
function checkProofRelation(token: UcanToken, proof: UcanToken, index: number): Refusal | undefined {
  if (proof.aud !== token.iss) {
    return refuse("wrong-audience", `proof ${index} is addressed to ${proof.aud}, not to the token's issuer ${token.iss}`);
  }
  if (token.exp > proof.exp) {
    return refuse("outlives-proof", `the delegation expires at ${token.exp}, after its proof ${index} (${proof.exp})`);
  }
  if (proof.nbf !== undefined && (token.nbf === undefined || token.nbf < proof.nbf)) {
    return refuse("outlives-proof", `the delegation starts before its proof ${index} becomes valid (${proof.nbf})`);
  }
  return undefined;
}

/** `prf:N` (UCAN 0.8 witness scheme) must name an existing proof. */
function checkProofPointers(token: UcanToken): Refusal | undefined {
  for (const cap of token.att) {
    if (!cap.with.startsWith("prf:")) continue;
    const selector = cap.with.slice(4);
    if (selector === "*") continue;
    const index = /^(0|[1-9][0-9]*)$/.test(selector) ? Number(selector) : NaN;
    if (!(index < token.prf.length)) return refuse("missing-proof", `capability ${cap.with} names a proof the token does not carry (it has ${token.prf.length})`);
  }
  return undefined;
}

/** Every token in the chain is valid at `at` (seconds): nbf <= at < exp. */
export function checkTimes(verified: VerifiedToken, at: number): Refusal | undefined {
  const { token } = verified;
  if (at >= token.exp) return refuse("expired", `a delegation from ${token.iss} to ${token.aud} expired at ${isoTime(token.exp)}`);
  if (token.nbf !== undefined && at < token.nbf) {
    return refuse("not-yet-valid", `a delegation from ${token.iss} to ${token.aud} is not valid before ${isoTime(token.nbf)}`);
  }
  for (const proof of verified.proofs) {
    const problem = checkTimes(proof, at);
    if (problem) return problem;
  }
  return undefined;
}

export function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds}s` : date.toISOString();
}
