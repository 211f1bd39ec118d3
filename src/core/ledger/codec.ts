/**
 * Entry codec: canonical DAG-CBOR bytes, CIDv1 ids, signing. The signature covers the canonical
 * encoding of the entry without its `sig` field; the id is the hash of the bytes with it
 * (ledger/README.md, "Entries"). Decoding never throws: hostile bytes become a typed rejection.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { bytesEqual, sha256, type SigningKey } from "../crypto/index.ts";
import { parseDidKey } from "../identity/did-key.ts";
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

const SHA2_256 = 0x12;
const ENTRY_FIELDS = ["author", "body", "kind", "pool", "proof", "seq", "sig", "time", "v"];
const MAX_PROOFS = 8;
// A UCAN 0.8.1 chain embeds each proof whole (base64url again), ~4/3 growth per link: a 6-link
// pool chain (the capability module's default depth) is ~7 KB.
const MAX_PROOF_CHARS = 12_288;
const MAX_POOL_CHARS = 64;

/** The bytes an author signs: every field but `sig`, canonically encoded. */
export function signingBytes(entry: UnsignedEntry): Uint8Array {
  const { v, kind, pool, author, seq, time, body, proof } = entry;
  return dagCbor.encode({ v, kind, pool, author, seq, time, body, proof });
}

export function entryIdOf(bytes: Uint8Array): EntryId {
  return CID.createV1(dagCbor.code, Digest.create(SHA2_256, sha256(bytes))).toString() as EntryId;
}

/** Encodes any value canonically (the state commitment and checkpoints use it too). */
export const canonicalEncode = (value: unknown): Uint8Array => dagCbor.encode(value);

export async function signEntry(key: SigningKey, unsigned: UnsignedEntry): Promise<SignedEntry> {
  const sig = await key.sign(signingBytes(unsigned));
  const entry: Entry = { ...unsigned, sig };
  const bytes = dagCbor.encode(entry);
  return { id: entryIdOf(bytes), bytes, entry };
}

/** Builds the unsigned form with the protocol version filled in. */
export function draftEntry(fields: Omit<UnsignedEntry, "v" | "proof"> & { proof?: readonly string[] }): UnsignedEntry {
  return { v: ENTRY_VERSION, ...fields, proof: fields.proof ?? [] };
}

/**
 * Decodes and shape-checks entry bytes: size, CBOR, canonical form (re-encoding gives the same
 * bytes, which also rules out floats, duplicate keys and indefinite lengths), exact field set and
 * field types. The signature and the body's kind schema are checked by the validator.
 */
export function decodeEntry(bytes: unknown): Result<{ signed: SignedEntry }> {
  if (!(bytes instanceof Uint8Array)) return reject("malformed", "entry bytes must be a byte array");
  if (bytes.length > MAX_ENTRY_BYTES) return reject("too-large", `entry is ${bytes.length} bytes; the limit is ${MAX_ENTRY_BYTES}`);
  let value: unknown;
  try {
    value = dagCbor.decode(bytes);
  } catch (error) {
    return reject("malformed", `not DAG-CBOR: ${(error as Error).message}`);
  }
  let reencoded: Uint8Array;
  try {
    reencoded = dagCbor.encode(value);
  } catch {
    return reject("non-canonical", "entry does not re-encode as DAG-CBOR");
  }
  if (!bytesEqual(reencoded, bytes)) return reject("non-canonical", "entry bytes are not the canonical DAG-CBOR encoding");
  const shape = checkShape(value);
  if (!shape.ok) return shape;
  return { ok: true, signed: { id: entryIdOf(bytes), bytes, entry: shape.entry } };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && CID.asCID(value) === null;

function checkShape(value: unknown): Result<{ entry: Entry }> {
  if (!isRecord(value)) return reject("malformed", "an entry is a CBOR map");
  const keys = Object.keys(value).sort();
  if (keys.join(",") !== ENTRY_FIELDS.join(",")) {
    return reject("malformed", `an entry has exactly the fields ${ENTRY_FIELDS.join(", ")}; got ${keys.join(", ").slice(0, 200)}`);
  }
  const { v, kind, pool, author, seq, time, body, proof, sig } = value;
  if (v !== ENTRY_VERSION) return reject("bad-version", `unsupported entry version ${describe(v)} (this node speaks ${ENTRY_VERSION})`);
  if (typeof kind !== "string" || !(KINDS as readonly string[]).includes(kind)) {
    return reject("unknown-kind", `unknown entry kind ${describe(kind)}`);
  }
  if (typeof pool !== "string" || pool.length === 0 || pool.length > MAX_POOL_CHARS) return reject("malformed", "pool must be a non-empty string");
  const did = parseDidKey(author);
  if (!did.ok) return reject("bad-author", `author is not a usable did:key: ${did.message}`);
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) return reject("malformed", "seq must be an integer >= 1");
  if (!Number.isSafeInteger(time) || (time as number) < 0) return reject("malformed", "time must be a non-negative integer (ms since the Unix epoch)");
  if (!isRecord(body)) return reject("malformed", "body must be a map");
  if (!isProofList(proof)) return reject("malformed", `proof must be a list of at most ${MAX_PROOFS} strings`);
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
