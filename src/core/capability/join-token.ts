/**
 * Privacy Pass tokens for open pools (issue 12; RFC 9576 architecture, RFC 9578 type 2:
 * publicly verifiable blind RSA). An issuer the pool lists (a `pool.issuer` entry) rate-limits people
 * it can check, e.g. one token per account per week, and blind-signs; the pool verifies the token
 * without learning who it was issued to. A token pays for a stranger's join or for an anonymous
 * job submission. The challenge binds it to this pool (origin info) and to the DID that spends it,
 * the epoch and the purpose (redemption context), so a token cannot be moved to another pool,
 * identity or purpose, or saved for later epochs; the fold keeps spent nonces (one token, one use).
 */
import { bytesEqual, bytesToHex, concatBytes, parseRsaSpki, sha256, utf8, verifyRsaPssSha384, type RsaPublicKey } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";
import type { PoolId } from "./pool.ts";

const TOKEN_TYPE = 0x0002;
const NONCE_BYTES = 32;
const DIGEST_BYTES = 32;
/** token_type, nonce, challenge_digest, token_key_id: what the authenticator signs. */
const TOKEN_INPUT_BYTES = 2 + NONCE_BYTES + DIGEST_BYTES + DIGEST_BYTES;
/** What a token pays for; each purpose has its own redemption-context domain. */
export type TokenPurpose = "join" | "submit";
const CONTEXT_DOMAINS: Readonly<Record<TokenPurpose, string>> = { join: "edgepool/join-token/v1", submit: "edgepool/submit-token/v1" };

/** An issuer a pool accepts: its name (as in the challenge) and key, with the key id the token names. */
export interface JoinTokenIssuer {
  readonly name: string;
  readonly key: RsaPublicKey;
  /** SHA-256 of the issuer's SubjectPublicKeyInfo, hex (RFC 9578, "token_key_id"). */
  readonly keyId: string;
}

export type IssuerResult = { readonly ok: true; readonly issuer: JoinTokenIssuer } | { readonly ok: false; readonly message: string };

/** An issuer from its name and DER SubjectPublicKeyInfo (as published in a `pool.issuer` entry). */
export function joinTokenIssuer(name: string, spki: Uint8Array): IssuerResult {
  if (name.length === 0 || name.length > 255) return { ok: false, message: "an issuer name must be 1 to 255 characters" };
  const parsed = parseRsaSpki(spki);
  if (!parsed.ok) return parsed;
  return { ok: true, issuer: { name, key: parsed.key, keyId: bytesToHex(sha256(spki)) } };
}

export interface TokenSubject {
  readonly pool: PoolId;
  /** The DID that spends the token: the joiner, or an anonymous submission's ephemeral key. */
  readonly did: Did;
  /** Default "join". */
  readonly purpose?: TokenPurpose;
}

/** The redemption context: 32 bytes that bind a token to pool, spender, epoch and purpose. */
export const joinRedemptionContext = (subject: TokenSubject, epoch: number): Uint8Array =>
  sha256(utf8(`${CONTEXT_DOMAINS[subject.purpose ?? "join"]}\0${subject.pool}\0${subject.did}\0${epoch}`));

/** The TokenChallenge a joiner asks the issuer to sign for (RFC 9577, 2.1), serialised. */
export function joinTokenChallenge(issuerName: string, subject: TokenSubject, epoch: number): Uint8Array {
  const issuer = utf8(issuerName);
  const origin = utf8(subject.pool);
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint16(0, TOKEN_TYPE);
  new DataView(header.buffer).setUint16(2, issuer.length);
  const originLength = new Uint8Array(2);
  new DataView(originLength.buffer).setUint16(0, origin.length);
  return concatBytes(header, issuer, new Uint8Array([32]), joinRedemptionContext(subject, epoch), originLength, origin);
}

export type TokenRefusalReason = "malformed-token" | "unlisted-issuer" | "token-wrong-binding" | "bad-token-signature";
export type TokenCheck =
  | { readonly ok: true; readonly nonce: string; readonly issuer: JoinTokenIssuer }
  | { readonly ok: false; readonly reason: TokenRefusalReason; readonly message: string };

/**
 * Checks a serialised type-2 token for `subject` at `currentEpoch` (or the one before) against the
 * pool's issuers (by key id). Spent-nonce bookkeeping is the fold's; this returns the nonce.
 */
/** An RSASSA-PSS-SHA384 verify: the portable one (crypto/rsa-pss.ts) or a platform's faster one. */
export type RsaPssVerify = (key: RsaPublicKey, message: Uint8Array, signature: Uint8Array) => boolean;

export function checkJoinToken(token: unknown, issuers: ReadonlyMap<string, JoinTokenIssuer>, subject: TokenSubject, currentEpoch: number, verify: RsaPssVerify = verifyRsaPssSha384): TokenCheck {
  if (!(token instanceof Uint8Array) || token.length <= TOKEN_INPUT_BYTES) return { ok: false, reason: "malformed-token", message: "a join token must be the bytes of a Privacy Pass token" };
  const view = new DataView(token.buffer, token.byteOffset, token.byteLength);
  if (view.getUint16(0) !== TOKEN_TYPE) return { ok: false, reason: "malformed-token", message: `token type ${view.getUint16(0)} is not 2 (publicly verifiable blind RSA)` };
  const nonce = token.subarray(2, 2 + NONCE_BYTES);
  const challengeDigest = token.subarray(2 + NONCE_BYTES, 2 + NONCE_BYTES + DIGEST_BYTES);
  const keyId = bytesToHex(token.subarray(2 + NONCE_BYTES + DIGEST_BYTES, TOKEN_INPUT_BYTES));
  const issuer = issuers.get(keyId);
  if (!issuer) return { ok: false, reason: "unlisted-issuer", message: `the token comes from an issuer key (${keyId.slice(0, 16)}…) this pool does not list` };
  if (token.length !== TOKEN_INPUT_BYTES + Math.ceil(issuer.key.bits / 8)) return { ok: false, reason: "malformed-token", message: "the token's length does not match its issuer's key size" };
  const bound = [currentEpoch, currentEpoch - 1].some((epoch) => bytesEqual(sha256(joinTokenChallenge(issuer.name, subject, epoch)), challengeDigest));
  if (!bound) return { ok: false, reason: "token-wrong-binding", message: `the token was not issued to ${subject.purpose ?? "join"} this pool as ${subject.did} in epoch ${currentEpoch} or ${currentEpoch - 1}` };
  if (!verify(issuer.key, token.subarray(0, TOKEN_INPUT_BYTES), token.subarray(TOKEN_INPUT_BYTES))) {
    return { ok: false, reason: "bad-token-signature", message: `the token's signature does not verify under issuer ${issuer.name}` };
  }
  return { ok: true, nonce: bytesToHex(nonce), issuer };
}
