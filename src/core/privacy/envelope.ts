/**
 * Envelopes: how a private pool's entries travel (docs/privacy.md). A batch of whole signed entries
 * (sign, then encrypt) is encoded as a DAG-CBOR list, deflated, padded so the envelope's length is
 * a Padmé size, and sealed with XChaCha20-Poly1305 under the epoch's entry key. The associated data
 * binds the pool and the key id, so an envelope moved to another pool (or relabelled with another
 * key id) does not open. An envelope is stored in the document under the hex SHA-256 of its bytes.
 *
 * Layout: version (1) | key id (8) | nonce (24) | AEAD(length (4, big-endian) | deflated | zeros).
 *
 * A ledger epoch's sealed start (private-epochs.ts) is an envelope too: its batch holds the
 * checkpoint entry, the `key.rotate` signed right after it, and, under `s`, the state snapshot the
 * checkpoint commits to. Only members see which
 * envelope is a start; to a relay it is one more padded envelope.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, bytesToHex, concatBytes, hexToBytes, randomBytes, utf8 } from "../crypto/index.ts";
import { MAX_ENTRY_BYTES, type PoolId, type SignedEntry } from "../ledger/types.ts";
import { KEY_ID_LENGTH, type EpochKey, type KeyId } from "./epoch-key.ts";
import { webPrivacy, type PrivacyNative } from "./native.ts";
import { padme } from "./padme.ts";

const VERSION = 1;
const HEADER_LENGTH = 1 + KEY_ID_LENGTH + AEAD_NONCE_LENGTH;
const LENGTH_PREFIX = 4;
/** A batch holds at most this many entries (a node re-sealing its history splits it). */
export const MAX_BATCH_ENTRIES = 64;
/** The UCAN tokens a batch's entries name by CID travel with them (at most one per entry). */
const MAX_TOKEN_CHARS = 16_384;
const MAX_INFLATED = MAX_BATCH_ENTRIES * (MAX_ENTRY_BYTES + MAX_TOKEN_CHARS + 16) + 16;
/** The largest state snapshot a sealed start can carry (beside its checkpoint and rotation, within the inflate limit). */
export const MAX_START_SNAPSHOT = MAX_INFLATED - 2 * MAX_ENTRY_BYTES - 64;
/** Larger values in the document are refused before any work. */
export const MAX_ENVELOPE_BYTES = padme(HEADER_LENGTH + LENGTH_PREFIX + MAX_INFLATED + AEAD_TAG_LENGTH);

/** Hex SHA-256 of an envelope's bytes: its key in the document. */
export type EnvelopeHash = string & { readonly __brand: "EnvelopeHash" };

export const envelopeHash = (envelope: Uint8Array, native: PrivacyNative = webPrivacy): EnvelopeHash => bytesToHex(native.sha256(envelope)) as EnvelopeHash;

export type EnvelopeFailure = "tampered-key" | "bad-ciphertext" | "pending-key" | "malformed" | "too-large";

export type OpenedEnvelope = { ok: true; keyId: KeyId; entries: Uint8Array[]; tokens: string[]; snapshot?: Uint8Array } | { ok: false; reason: EnvelopeFailure; message: string };

const associatedData = (pool: PoolId, keyId: Uint8Array): Uint8Array => concatBytes(utf8(`edgepool/envelope/v1\0${pool}\0`), keyId);

/**
 * Seals one batch of entries (and the UCAN tokens they name, which a member's document would hold)
 * under an epoch key; `snapshot` makes it a sealed start (the batch is then the checkpoint and its rotation).
 * `native`: the platform's (native.ts); the same bytes with any.
 */
export async function sealEnvelope(
  key: EpochKey,
  entries: readonly SignedEntry[],
  tokens: readonly string[] = [],
  native: PrivacyNative = webPrivacy,
  snapshot?: Uint8Array,
): Promise<{ hash: EnvelopeHash; bytes: Uint8Array }> {
  if (entries.length === 0 || entries.length > MAX_BATCH_ENTRIES) throw new RangeError(`an envelope holds 1..${MAX_BATCH_ENTRIES} entries, got ${entries.length}`);
  if (tokens.length > MAX_BATCH_ENTRIES) throw new RangeError(`an envelope holds at most ${MAX_BATCH_ENTRIES} tokens, got ${tokens.length}`);
  const batch = { e: entries.map((e) => e.bytes), t: [...tokens], ...(snapshot ? { s: snapshot } : {}) };
  const compressed = await native.deflater.deflate(dagCbor.encode(batch));
  const total = padme(HEADER_LENGTH + LENGTH_PREFIX + compressed.length + AEAD_TAG_LENGTH);
  const padded = new Uint8Array(total - HEADER_LENGTH - AEAD_TAG_LENGTH);
  new DataView(padded.buffer).setUint32(0, compressed.length);
  padded.set(compressed, LENGTH_PREFIX);
  const keyId = hexToBytes(key.keyId);
  const nonce = randomBytes(AEAD_NONCE_LENGTH);
  const bytes = concatBytes(Uint8Array.of(VERSION), keyId, nonce, native.aead.seal(key.entryKey, nonce, padded, associatedData(key.pool, keyId)));
  return { hash: envelopeHash(bytes, native), bytes };
}

/**
 * Opens what a peer put under `hash`: the key must be the hash of the value, the key id one this
 * node holds (else `pending-key`: kept and tried again when a key arrives), the AEAD must verify
 * for this pool, and the content must inflate within the limit to a list of byte strings. The
 * entries inside are not trusted yet: they go through the ledger's validator like any others.
 */
export async function openEnvelope(
  pool: PoolId,
  hash: string,
  value: unknown,
  keyOf: (keyId: KeyId) => EpochKey | undefined,
  native: PrivacyNative = webPrivacy,
): Promise<OpenedEnvelope> {
  if (!(value instanceof Uint8Array)) return failure("malformed", "an envelope is a byte array");
  if (value.length > MAX_ENVELOPE_BYTES) return failure("too-large", `an envelope of ${value.length} bytes is above the limit of ${MAX_ENVELOPE_BYTES}`);
  const actual = envelopeHash(value, native);
  if (actual !== hash) return failure("tampered-key", `stored under ${hash.slice(0, 64)} but its bytes hash to ${actual}`);
  if (value.length < HEADER_LENGTH + LENGTH_PREFIX + AEAD_TAG_LENGTH || value[0] !== VERSION) return failure("malformed", "not a version 1 envelope");
  const keyIdBytes = value.subarray(1, 1 + KEY_ID_LENGTH);
  const keyId = bytesToHex(keyIdBytes) as KeyId;
  const key = keyOf(keyId);
  if (!key) return failure("pending-key", `sealed under key ${keyId}, which this node does not hold (yet)`);
  const nonce = value.subarray(1 + KEY_ID_LENGTH, HEADER_LENGTH);
  const padded = native.aead.open(key.entryKey, nonce, value.subarray(HEADER_LENGTH), associatedData(pool, keyIdBytes));
  if (!padded) return failure("bad-ciphertext", `does not open under key ${keyId} for this pool (altered, truncated or from elsewhere)`);
  const length = new DataView(padded.buffer, padded.byteOffset).getUint32(0);
  if (length > padded.length - LENGTH_PREFIX) return failure("malformed", "the sealed length is beyond the envelope");
  const inflated = await native.deflater.inflate(padded.subarray(LENGTH_PREFIX, LENGTH_PREFIX + length), MAX_INFLATED);
  if (!inflated.ok) return failure(inflated.reason, inflated.message);
  return decodeBatch(keyId, inflated.bytes);
}

function decodeBatch(keyId: KeyId, bytes: Uint8Array): OpenedEnvelope {
  let batch: unknown;
  try {
    batch = dagCbor.decode(bytes);
  } catch (error) {
    return failure("malformed", `the batch is not DAG-CBOR: ${(error as Error).message}`);
  }
  const { e: list, t: tokens, s: snapshot } = (typeof batch === "object" && batch !== null ? batch : {}) as { e?: unknown; t?: unknown; s?: unknown };
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BATCH_ENTRIES || !list.every((e) => e instanceof Uint8Array)) {
    return failure("malformed", `a batch holds a list of 1..${MAX_BATCH_ENTRIES} byte strings (e)`);
  }
  if (!Array.isArray(tokens) || tokens.length > MAX_BATCH_ENTRIES || !tokens.every((t) => typeof t === "string" && t.length <= MAX_TOKEN_CHARS)) {
    return failure("malformed", `a batch holds a list of at most ${MAX_BATCH_ENTRIES} tokens (t)`);
  }
  if (snapshot !== undefined && (!(snapshot instanceof Uint8Array) || list.length !== 2)) return failure("malformed", "a sealed start holds a checkpoint, its rotation and its snapshot as bytes (s)");
  return { ok: true, keyId, entries: list, tokens, ...(snapshot ? { snapshot } : {}) };
}

const failure = (reason: EnvelopeFailure, message: string): OpenedEnvelope => ({ ok: false, reason, message });
