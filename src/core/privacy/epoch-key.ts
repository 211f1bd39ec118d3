/**
 * Epoch keys of a private pool. Each key epoch has one random 32-byte secret; everything else is
 * derived from it with HKDF under its own label, salted with the pool id and epoch number, so a
 * secret reused by mistake in another pool or epoch still gives unrelated keys:
 * - the entry key (XChaCha20-Poly1305) that seals envelopes,
 * - the key id (8 bytes) written in front of each envelope, so a member knows which key to try,
 * - the id of the epoch's Automerge document, which only holders of the secret can compute.
 */
import { stringifyAutomergeUrl, type AutomergeUrl, type DocumentId } from "@automerge/automerge-repo";
import { parseAutomergeUrl } from "@automerge/automerge-repo";
import { AEAD_KEY_LENGTH, AEAD_NONCE_LENGTH, AEAD_TAG_LENGTH, aeadOpen, aeadSeal, bytesToHex, concatBytes, hkdfSha256, randomBytes, utf8 } from "../crypto/index.ts";
import type { PoolId } from "../ledger/types.ts";

export const EPOCH_SECRET_LENGTH = 32;
export const KEY_ID_LENGTH = 8;

/** Hex of an epoch's 8-byte key id. */
export type KeyId = string & { readonly __brand: "KeyId" };

export interface EpochKey {
  readonly pool: PoolId;
  readonly epoch: number;
  readonly secret: Uint8Array;
  readonly keyId: KeyId;
  readonly entryKey: Uint8Array;
  readonly documentUrl: AutomergeUrl;
  readonly documentId: DocumentId;
}

const LABEL = "edgepool/private/v1/";

export function deriveEpochKey(pool: PoolId, epoch: number, secret: Uint8Array): EpochKey {
  if (secret.length !== EPOCH_SECRET_LENGTH) throw new TypeError(`an epoch secret is ${EPOCH_SECRET_LENGTH} bytes, got ${secret.length}`);
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`a key epoch is an integer >= 0, got ${epoch}`);
  const salt = utf8(`${pool}\0${epoch}`);
  const documentUrl = stringifyAutomergeUrl({ documentId: hkdfSha256(secret, `${LABEL}document-id`, 16, salt) as never });
  return {
    pool,
    epoch,
    secret,
    keyId: bytesToHex(hkdfSha256(secret, `${LABEL}key-id`, KEY_ID_LENGTH, salt)) as KeyId,
    entryKey: hkdfSha256(secret, `${LABEL}entry-key`, AEAD_KEY_LENGTH, salt),
    documentUrl,
    documentId: parseAutomergeUrl(documentUrl).documentId,
  };
}

export const newEpochKey = (pool: PoolId, epoch: number): EpochKey => deriveEpochKey(pool, epoch, randomBytes(EPOCH_SECRET_LENGTH));

/** `previous` in an epoch's document: the previous epoch's secret, sealed under this epoch's secret. */
export function sealPrevious(key: EpochKey, previous: EpochKey): Uint8Array {
  const nonce = randomBytes(AEAD_NONCE_LENGTH);
  const plain = new Uint8Array(4 + EPOCH_SECRET_LENGTH);
  new DataView(plain.buffer).setUint32(0, previous.epoch);
  plain.set(previous.secret, 4);
  return concatBytes(nonce, aeadSeal(previousKey(key), nonce, plain, utf8(`${key.pool}\0${key.epoch}`)));
}

/** The previous epoch's key from `previous`, or undefined when it was altered or is not one. */
export function openPrevious(key: EpochKey, sealed: unknown): EpochKey | undefined {
  if (!(sealed instanceof Uint8Array) || sealed.length !== AEAD_NONCE_LENGTH + 4 + EPOCH_SECRET_LENGTH + AEAD_TAG_LENGTH) return undefined;
  const plain = aeadOpen(previousKey(key), sealed.subarray(0, AEAD_NONCE_LENGTH), sealed.subarray(AEAD_NONCE_LENGTH), utf8(`${key.pool}\0${key.epoch}`));
  if (!plain) return undefined;
  const epoch = new DataView(plain.buffer, plain.byteOffset).getUint32(0);
  return epoch === key.epoch - 1 ? deriveEpochKey(key.pool, epoch, plain.slice(4)) : undefined;
}

/** The key that seals direct-peer signals on the epoch's document (sealed-signals.ts). */
export const signalKey = (key: EpochKey): Uint8Array => hkdfSha256(key.secret, `${LABEL}signal-key`, AEAD_KEY_LENGTH, utf8(`${key.pool}\0${key.epoch}`));

const previousKey = (key: EpochKey): Uint8Array => hkdfSha256(key.secret, `${LABEL}previous-key`, AEAD_KEY_LENGTH, utf8(`${key.pool}\0${key.epoch}`));
