/**
 * did:key for Ed25519 (https://w3c-ccg.github.io/did-method-key/): "did:key:" + multibase
 * base58btc ("z") of the multicodec varint 0xed 0x01 followed by the 32-byte public key.
 */
import { base58btc } from "multiformats/bases/base58";
import { checkPublicKey } from "../crypto/ed25519.ts";

/** A did:key string that has been parsed and checked (branded so raw strings cannot pass for one). */
export type Did = string & { readonly __brand: "Did" };

export type DidKeyErrorReason =
  | "not-a-string"
  | "invalid-did"
  | "did-url"
  | "method-not-supported"
  | "invalid-multibase"
  | "invalid-base58"
  | "unsupported-key-type"
  | "invalid-key-length"
  | "invalid-public-key";

export type DidKeyResult = { ok: true; did: Did; publicKey: Uint8Array } | { ok: false; reason: DidKeyErrorReason; message: string };

const ED25519_PUB_MULTICODEC = Uint8Array.from([0xed, 0x01]);
const PREFIX = "did:key:";
const MAX_DID_LENGTH = 128; // an Ed25519 did:key is 56 characters; anything far longer is hostile

export function didFromPublicKey(publicKey: Uint8Array): Did {
  if (publicKey.length !== 32) throw new TypeError(`an Ed25519 public key is 32 bytes, got ${publicKey.length}`);
  const bytes = new Uint8Array(34);
  bytes.set(ED25519_PUB_MULTICODEC);
  bytes.set(publicKey, 2);
  return (PREFIX + base58btc.encode(bytes)) as Did;
}

const fail = (reason: DidKeyErrorReason, message: string): DidKeyResult => ({ ok: false, reason, message });

/**
 * Parses an Ed25519 did:key and checks the key against EdgePool's signature rule (canonical,
 * not small order, prime-order subgroup): a key no signature could ever be valid for is refused.
 */
export function parseDidKey(input: unknown): DidKeyResult {
  if (typeof input !== "string") return fail("not-a-string", "a DID must be a string");
  let parsed = parsedDids.get(input);
  if (!parsed) {
    if (parsedDids.size >= PARSED_DID_LIMIT) parsedDids.clear();
    parsed = parseUncached(input);
    parsedDids.set(input, parsed);
  }
  return parsed;
}

// Verdicts per DID string: a pool has few members and many entries and tokens naming them, and the
// subgroup check is point math. Bounded: a flood of distinct DIDs costs re-parsing, not memory.
// Results are shared between callers, who must not mutate them.
const PARSED_DID_LIMIT = 10_000;
const parsedDids = new Map<string, DidKeyResult>();

function parseUncached(input: string): DidKeyResult {
  if (input.length > MAX_DID_LENGTH) return fail("invalid-did", `a did:key is at most ${MAX_DID_LENGTH} characters, got ${input.length}`);
  const parts = input.split(":");
  if (parts.length < 3 || parts[0] !== "did") return fail("invalid-did", `not a DID: ${JSON.stringify(input)} (expected did:key:z6Mk…)`);
  if (parts[1] !== "key") return fail("method-not-supported", `unsupported DID method '${parts[1]}': only did:key is accepted`);
  if (parts.length !== 3) return fail("invalid-did", "a did:key has exactly three ':'-separated parts");
  const multibase = parts[2]!;
  // A DID URL (path, query or fragment) names something inside a DID document, not an identity:
  // refusing it here keeps "did:key:z6Mk…#key-1" from passing as the DID itself.
  if (/[/?#]/.test(multibase)) return fail("did-url", "this is a DID URL (it has a path, query or fragment): pass the bare did:key:z6Mk… without them");
  if (!multibase.startsWith("z")) return fail("invalid-multibase", "did:key must be multibase base58btc (starting with 'z')");
  let bytes: Uint8Array;
  try {
    bytes = base58btc.decode(multibase);
  } catch {
    return fail("invalid-base58", "the did:key's key part is not valid base58btc");
  }
  if (bytes[0] === 0xec && bytes[1] === 0x01) {
    return fail("unsupported-key-type", "this is an X25519 did:key (z6LS…), a key-agreement key that cannot sign: EdgePool identities are Ed25519 (z6Mk…)");
  }
  if (bytes[0] !== 0xed || bytes[1] !== 0x01) {
    return fail("unsupported-key-type", "only Ed25519 did:keys (multicodec 0xed01, z6Mk…) can sign in EdgePool");
  }
  if (bytes.length !== 34) return fail("invalid-key-length", `an Ed25519 did:key holds 32 key bytes, got ${bytes.length - 2}`);
  const publicKey = bytes.slice(2);
  const keyCheck = checkPublicKey(publicKey);
  if (!keyCheck.ok) return fail("invalid-public-key", `the did:key's Ed25519 key is not usable (${keyCheck.reason})`);
  return { ok: true, did: input as Did, publicKey };
}

/** Parses a DID that is known to be trusted input (our own), throwing on programmer error. */
export function publicKeyOfDid(did: Did | string): Uint8Array {
  const parsed = parseDidKey(did);
  if (!parsed.ok) throw new TypeError(parsed.message);
  return parsed.publicKey;
}
