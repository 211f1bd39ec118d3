/**
 * Entry codec: canonical DAG-CBOR bytes, CIDv1 ids, signing. The signature covers the canonical
 * encoding of the entry without its `sig` field; the id is the hash of the bytes with it
 * (ledger/README.md, "Entries"). Decoding never throws: hostile bytes become a typed rejection.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { bytesEqual, sha256, type SigningKey } from "../crypto/index.ts";
import { parseDidKey, publicKeyOfDid, type DidKeyResult } from "../identity/did-key.ts";
import { decodeCanonicalSubset } from "./canonical-subset.ts";
import { cidString, DAG_CBOR } from "./cid.ts";
import {
  ENTRY_VERSION,
  KINDS,
  MAX_ENTRY_BYTES,
  reject,
  type Entry,
  type EntryId,
  type Kind,
  type PoolId,
  type Result,
  type SignedEntry,
  type UnsignedEntry,
} from "./types.ts";

const ENTRY_FIELDS = ["author", "body", "kind", "pool", "proof", "seq", "sig", "time", "v"];
const ENTRY_FIELD_SET = new Set(ENTRY_FIELDS);
const MAX_PROOFS = 8;
// Proofs are token CIDs (59 characters; the authoriser checks their form), never tokens inline.
const MAX_PROOF_CHARS = 128;
const MAX_POOL_CHARS = 64;

/** The bytes an author signs: every field but `sig`, canonically encoded. */
export function signingBytes(entry: UnsignedEntry): Uint8Array {
  const { v, kind, pool, author, seq, time, body, proof } = entry;
  return dagCbor.encode({ v, kind, pool, author, seq, time, body, proof });
}

export const entryIdOf = (bytes: Uint8Array): EntryId => cidString(DAG_CBOR, sha256(bytes)) as EntryId;

/** Encodes any value canonically (the state commitment and checkpoints use it too). */
export const canonicalEncode = (value: unknown): Uint8Array => dagCbor.encode(value);

/**
 * Entry bytes this process encoded and signed with the author's own key. Ed25519 signing with
 * the right key always yields a valid signature, so the node's own appends skip verifying it
 * again (it measured as much as the whole Automerge change); every other rule still runs. Keyed
 * by the bytes object: a copy, or bytes read back from a document or a peer, are verified as usual.
 */
const signedHere = new WeakSet<Uint8Array>();

export async function signEntry(key: SigningKey, unsigned: UnsignedEntry): Promise<SignedEntry> {
  const signing = signingBytes(unsigned);
  const sig = await key.sign(signing);
  const entry: Entry = { ...unsigned, sig };
  const bytes = withSignature(signing, entry);
  if (bytesEqual(key.publicKey, publicKeyOfDid(entry.author))) signedHere.add(bytes);
  return { id: entryIdOf(bytes), bytes, entry };
}

/** Whether `signed` came from `signEntry` in this process, with the author's key, its bytes untouched since. */
export const isSignedHere = (signed: SignedEntry): boolean => signedHere.has(signed.bytes);

/** Builds the unsigned form with the protocol version filled in. */
export function draftEntry(fields: Omit<UnsignedEntry, "v" | "proof"> & { proof?: readonly string[] }): UnsignedEntry {
  return { v: ENTRY_VERSION, ...fields, proof: fields.proof ?? [] };
}

/**
 * Decodes and shape-checks entry bytes: size, CBOR, exact field set and field types, and canonical
 * form: the bytes must be exactly the canonical encoding of what they decode to (which also rules
 * out floats for integers, duplicate keys and indefinite lengths). Without that one entry would
 * have many ids, and anyone could frame its author for equivocation by re-encoding it. The
 * signature and the body's kind schema are checked by the validator; `signing` is what it verifies.
 */
export function decodeEntry(bytes: unknown): Result<{ signed: SignedEntry; signing: Uint8Array }> {
  if (!(bytes instanceof Uint8Array)) return reject("malformed", "entry bytes must be a byte array");
  if (bytes.length > MAX_ENTRY_BYTES) return reject("too-large", `entry is ${bytes.length} bytes; the limit is ${MAX_ENTRY_BYTES}`);
  const canonical = decodeCanonicalSubset(bytes);
  if (canonical !== undefined) {
    // Canonical already, so the signing bytes are these bytes without the `sig` pair.
    const shape = checkShape(canonical);
    if (!shape.ok) return shape;
    return { ok: true, signed: { id: entryIdOf(bytes), bytes, entry: shape.entry }, signing: withoutSignature(bytes, shape.entry) };
  }
  let value: unknown;
  try {
    value = dagCbor.decode(bytes);
  } catch (error) {
    return reject("malformed", `not DAG-CBOR: ${(error as Error).message}`);
  }
  const shape = checkShape(value);
  if (!shape.ok) return shape;
  let signing: Uint8Array;
  try {
    signing = signingBytes(shape.entry);
  } catch {
    return reject("non-canonical", "entry does not re-encode as DAG-CBOR");
  }
  if (!isSignedEncoding(bytes, signing, shape.entry)) return reject("non-canonical", "entry bytes are not the canonical DAG-CBOR encoding");
  return { ok: true, signed: { id: entryIdOf(bytes), bytes, entry: shape.entry }, signing };
}

const SIG_KEY = [0x63, 0x73, 0x69, 0x67, 0x58, 0x40]; // text(3) "sig", bytes(64)
const intLength = (n: number): number => (n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9);
/** Where the `sig` pair goes in the canonical encoding: right after `seq` (see isSignedEncoding). */
const sigOffset = (entry: UnsignedEntry): number => 1 + 2 + intLength(entry.v) + 4 + intLength(entry.seq);

/** The whole entry's canonical encoding from its signing bytes, without encoding it again. */
function withSignature(signing: Uint8Array, entry: Entry): Uint8Array {
  const at = sigOffset(entry);
  const bytes = new Uint8Array(signing.length + SIG_KEY.length + 64);
  bytes.set(signing.subarray(0, at));
  bytes[0] = 0xa9;
  bytes.set(SIG_KEY, at);
  bytes.set(entry.sig, at + SIG_KEY.length);
  bytes.set(signing.subarray(at), at + SIG_KEY.length + 64);
  return bytes;
}

/** The signing bytes inside a whole entry's canonical encoding (the inverse of withSignature). */
function withoutSignature(bytes: Uint8Array, entry: Entry): Uint8Array {
  const at = sigOffset(entry);
  const signing = new Uint8Array(bytes.length - SIG_KEY.length - 64);
  signing.set(bytes.subarray(0, at));
  signing[0] = 0xa8;
  signing.set(bytes.subarray(at + SIG_KEY.length + 64), at);
  return signing;
}

/**
 * Whether `bytes` is the canonical encoding of the whole entry, checked against the signing bytes
 * (its encoding without `sig`) instead of encoding it twice. Canonical key order is by length,
 * then bytewise: v, seq, sig, body, kind, pool, time, proof, author. So the whole encoding is the
 * signing bytes with the map header 8 -> 9 and the `sig` pair inserted right after `seq`.
 */
function isSignedEncoding(bytes: Uint8Array, signing: Uint8Array, entry: Entry): boolean {
  if (bytes.length !== signing.length + SIG_KEY.length + 64 || bytes[0] !== 0xa9 || signing[0] !== 0xa8) return false;
  const at = sigOffset(entry);
  for (let i = 1; i < at; i++) if (bytes[i] !== signing[i]) return false;
  for (let i = 0; i < SIG_KEY.length; i++) if (bytes[at + i] !== SIG_KEY[i]) return false;
  const sigAt = at + SIG_KEY.length;
  for (let i = 0; i < 64; i++) if (bytes[sigAt + i] !== entry.sig[i]) return false;
  for (let i = at; i < signing.length; i++) if (bytes[i + SIG_KEY.length + 64] !== signing[i]) return false;
  return true;
}

// Authors already parsed (a pool has few authors and many entries). Bounded.
const DID_CACHE_LIMIT = 10_000;
const knownAuthors = new Map<string, DidKeyResult>();

function parseAuthor(author: unknown): DidKeyResult {
  if (typeof author !== "string") return parseDidKey(author);
  let parsed = knownAuthors.get(author);
  if (!parsed) {
    parsed = parseDidKey(author);
    if (knownAuthors.size >= DID_CACHE_LIMIT) knownAuthors.clear();
    knownAuthors.set(author, parsed);
  }
  return parsed;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && CID.asCID(value) === null;

function checkShape(value: unknown): Result<{ entry: Entry }> {
  if (!isRecord(value)) return reject("malformed", "an entry is a CBOR map");
  const keys = Object.keys(value);
  // Object keys are distinct, so the same count and each one known means exactly these fields.
  if (keys.length !== ENTRY_FIELDS.length || !keys.every((key) => ENTRY_FIELD_SET.has(key))) {
    return reject("malformed", `an entry has exactly the fields ${ENTRY_FIELDS.join(", ")}; got ${keys.sort().join(", ").slice(0, 200)}`);
  }
  const { v, kind, pool, author, seq, time, body, proof, sig } = value;
  if (v !== ENTRY_VERSION) return reject("bad-version", `unsupported entry version ${describe(v)} (this node speaks ${ENTRY_VERSION})`);
  if (typeof kind !== "string" || !(KINDS as readonly string[]).includes(kind)) {
    return reject("unknown-kind", `unknown entry kind ${describe(kind)}`);
  }
  if (typeof pool !== "string" || pool.length === 0 || pool.length > MAX_POOL_CHARS) return reject("malformed", "pool must be a non-empty string");
  const did = parseAuthor(author);
  if (!did.ok) return reject("bad-author", `author is not a usable did:key: ${did.message}`);
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) return reject("malformed", "seq must be an integer >= 1");
  if (!Number.isSafeInteger(time) || (time as number) < 0) return reject("malformed", "time must be a non-negative integer (ms since the Unix epoch)");
  if (!isRecord(body)) return reject("malformed", "body must be a map");
  if (!isProofList(proof)) return reject("malformed", `proof must be a list of at most ${MAX_PROOFS} token CIDs (strings of at most ${MAX_PROOF_CHARS} characters)`);
  if (!(sig instanceof Uint8Array) || sig.length !== 64) return reject("malformed", "sig must be 64 bytes");
  const entry: Entry = { v, kind: kind as Kind, pool: pool as PoolId, author: did.did, seq: seq as number, time: time as number, body, proof, sig };
  return { ok: true, entry };
}

/** A hostile value, named for a message without calling its (attacker-chosen) toString. */
function describe(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value.slice(0, 40));
  return value === null ? "null" : typeof value;
}

function isProofList(value: unknown): value is string[] {
  return (
    Array.isArray(value) &&
    value.length <= MAX_PROOFS &&
    value.every((p) => typeof p === "string" && p.length > 0 && p.length <= MAX_PROOF_CHARS)
  );
}
