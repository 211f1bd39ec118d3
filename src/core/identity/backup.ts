/**
 * Passphrase-encrypted identity backups (docs/identity.md, "Backup format"). Pure JS, so a backup
 * made by the CLI opens in the browser and back. Version 2 (written) carries the identity's seed and
 * its member key-agreement key (X25519 secret, docs/privacy.md), so a restored device opens the
 * lockboxes of private pools; version 1 (still read) carries the seed alone:
 *
 *   {"format":"edgepool-identity-backup","version":2,"did":"did:key:z6Mk…",
 *    "kdf":{"name":"scrypt","N":131072,"r":8,"p":1,"salt":"<base64, 16 bytes>"},
 *    "cipher":{"name":"xchacha20-poly1305","nonce":"<base64, 24 bytes>"},
 *    "keyCheck":"<base64, 16 bytes>","ciphertext":"<base64, 32-byte seed + 32-byte kex secret + 16-byte tag>"}
 *
 * dk = scrypt(NFKC(passphrase), salt, N, r, p, 48 bytes); key = dk[0..32], keyCheck = dk[32..48].
 * The secrets are sealed with XChaCha20-Poly1305 under `key`, with AAD = UTF-8("edgepool-identity-backup:v<version>:" + did),
 * so the DID shown in clear cannot be swapped, nor a version 2 file passed off as version 1. keyCheck
 * tells a wrong passphrase apart from a damaged ciphertext; it reveals nothing an attacker could not
 * test through the AEAD anyway.
 */
import { base64 } from "multiformats/bases/base64";
import {
  AEAD_NONCE_LENGTH,
  AEAD_TAG_LENGTH,
  aeadOpen,
  aeadSeal,
  bytesEqual,
  checkScryptParams,
  DEFAULT_SCRYPT_PARAMS,
  publicKeyFromSeed,
  randomBytes,
  scryptDerive,
  utf8,
  type ScryptParams,
} from "../crypto/index.ts";
import { didFromPublicKey, parseDidKey, type Did } from "./did-key.ts";

export const BACKUP_FORMAT = "edgepool-identity-backup";
const VERSION = 2;
/** What each version seals: the seed, then (from version 2) the member key-agreement secret. */
const SEALED_LENGTH: Readonly<Record<number, number>> = { 1: 32, 2: 64 };
const SALT_LENGTH = 16;
const KEY_CHECK_LENGTH = 16;
const SEED_LENGTH = 32;
const KEX_LENGTH = 32;
const MAX_BACKUP_CHARS = 16 * 1024; // a real backup is ~400 characters

export type BackupErrorReason =
  | "malformed" // not a backup, truncated, or a field of the wrong type or length
  | "unsupported-version"
  | "unsupported-algorithm"
  | "kdf-params-out-of-range" // would cost too much memory or time to try (a DoS guard)
  | "wrong-passphrase"
  | "tampered" // the passphrase is right but the DID or ciphertext was altered
  | "did-mismatch"; // decrypts, but to a key that is not the DID's

export type BackupFailure = { ok: false; reason: BackupErrorReason; message: string };

/** A backup whose structure was checked; opening it still needs the passphrase. */
export interface SealedBackup {
  readonly version: number;
  readonly did: Did;
  readonly kdf: ScryptParams;
  readonly salt: Uint8Array;
  readonly nonce: Uint8Array;
  readonly keyCheck: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** What a backup holds: the Ed25519 seed and the member key-agreement key's X25519 secret. */
export interface IdentitySecrets {
  readonly seed: Uint8Array;
  readonly kex: Uint8Array;
}

/** An opened backup; `kex` is absent in a version 1 backup (made before it carried one). */
export type OpenedBackup = { ok: true; did: Did; seed: Uint8Array; kex: Uint8Array | undefined };

export interface BackupOptions {
  readonly kdf?: ScryptParams;
  /** Source of salt and nonce; injected only to make published test vectors. */
  readonly random?: (length: number) => Uint8Array;
}

const fail = (reason: BackupErrorReason, message: string): BackupFailure => ({ ok: false, reason, message });
const aadFor = (version: number, did: Did): Uint8Array => utf8(`${BACKUP_FORMAT}:v${version}:${did}`);

/** NFKC so the same passphrase typed on two devices (composed or decomposed accents) derives one key. */
async function deriveKeys(passphrase: string, salt: Uint8Array, kdf: ScryptParams): Promise<{ key: Uint8Array; keyCheck: Uint8Array }> {
  const derived = await scryptDerive(utf8(passphrase.normalize("NFKC")), salt, kdf, 32 + KEY_CHECK_LENGTH);
  return { key: derived.subarray(0, 32), keyCheck: derived.subarray(32) };
}

/** Encrypts an identity's seed and key-agreement secret under a passphrase; returns the backup file's text. */
export async function createBackup({ seed, kex }: IdentitySecrets, passphrase: string, options: BackupOptions = {}): Promise<string> {
  if (passphrase.length === 0) throw new TypeError("a backup passphrase must not be empty");
  if (seed.length !== SEED_LENGTH || kex.length !== KEX_LENGTH) throw new TypeError(`a backup seals a ${SEED_LENGTH}-byte seed and a ${KEX_LENGTH}-byte key-agreement secret`);
  const kdf = options.kdf ?? DEFAULT_SCRYPT_PARAMS;
  const random = options.random ?? randomBytes;
  const did = didFromPublicKey(publicKeyFromSeed(seed));
  const salt = random(SALT_LENGTH);
  const nonce = random(AEAD_NONCE_LENGTH);
  const { key, keyCheck } = await deriveKeys(passphrase, salt, kdf);
  const secrets = new Uint8Array(SEED_LENGTH + KEX_LENGTH);
  secrets.set(seed);
  secrets.set(kex, SEED_LENGTH);
  const ciphertext = aeadSeal(key, nonce, secrets, aadFor(VERSION, did));
  const encode = (bytes: Uint8Array) => base64.baseEncode(bytes);
  const file = {
    format: BACKUP_FORMAT,
    version: VERSION,
    did,
    kdf: { name: "scrypt", N: kdf.N, r: kdf.r, p: kdf.p, salt: encode(salt) },
    cipher: { name: "xchacha20-poly1305", nonce: encode(nonce) },
    keyCheck: encode(keyCheck),
    ciphertext: encode(ciphertext),
  };
  return JSON.stringify(file, undefined, 2) + "\n";
}

/** Checks a backup's structure, DID and KDF cost without the passphrase (cheap: no scrypt). */
export function readBackup(text: string): { ok: true; backup: SealedBackup } | BackupFailure {
  if (text.length > MAX_BACKUP_CHARS) return fail("malformed", `this file is ${text.length} characters, far more than an identity backup`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("malformed", "this file is not an EdgePool identity backup (not JSON; is it truncated?)");
  }
  const file = asRecord(value);
  if (!file || file.format !== BACKUP_FORMAT) return fail("malformed", `this file is not an EdgePool identity backup (no "format": "${BACKUP_FORMAT}")`);
  const version = file.version;
  const sealedLength = typeof version === "number" ? SEALED_LENGTH[version] : undefined;
  if (sealedLength === undefined) return fail("unsupported-version", `backup version ${JSON.stringify(version)} is not supported: this EdgePool reads versions 1 and ${VERSION}`);
  const kdf = asRecord(file.kdf);
  const cipher = asRecord(file.cipher);
  if (kdf?.name !== "scrypt" || cipher?.name !== "xchacha20-poly1305") {
    return fail("unsupported-algorithm", `backup version ${version} uses scrypt and xchacha20-poly1305, this one names ${JSON.stringify(kdf?.name)} and ${JSON.stringify(cipher?.name)}`);
  }
  const params = { N: kdf.N, r: kdf.r, p: kdf.p } as ScryptParams;
  const problem = checkScryptParams(params);
  if (problem) return fail("kdf-params-out-of-range", `the backup's scrypt parameters are refused (${problem}); it is damaged or was not made by EdgePool`);
  const did = parseDidKey(file.did);
  if (!did.ok) return fail("malformed", `the backup's DID is invalid: ${did.message}`);
  const salt = decodeField(kdf.salt, "kdf.salt", SALT_LENGTH);
  const nonce = decodeField(cipher.nonce, "cipher.nonce", AEAD_NONCE_LENGTH);
  const keyCheck = decodeField(file.keyCheck, "keyCheck", KEY_CHECK_LENGTH);
  const ciphertext = decodeField(file.ciphertext, "ciphertext", sealedLength + AEAD_TAG_LENGTH);
  for (const field of [salt, nonce, keyCheck, ciphertext]) if (typeof field === "string") return fail("malformed", `the backup is damaged: ${field}`);
  return {
    ok: true,
    backup: { version: version as number, did: did.did, kdf: params, salt: salt as Uint8Array, nonce: nonce as Uint8Array, keyCheck: keyCheck as Uint8Array, ciphertext: ciphertext as Uint8Array },
  };
}

/** Decrypts a backup; the secrets are returned only when the seed is the key of the backup's DID. */
export async function openBackup(backup: SealedBackup, passphrase: string): Promise<OpenedBackup | BackupFailure> {
  const { key, keyCheck } = await deriveKeys(passphrase, backup.salt, backup.kdf);
  if (!bytesEqual(keyCheck, backup.keyCheck)) {
    return fail("wrong-passphrase", "wrong passphrase for this backup (or its salt, KDF parameters or key check were altered)");
  }
  const secrets = aeadOpen(key, backup.nonce, backup.ciphertext, aadFor(backup.version, backup.did));
  if (!secrets) return fail("tampered", "the passphrase is right but the backup was altered or damaged (its DID or encrypted key changed); use another copy");
  const seed = secrets.slice(0, SEED_LENGTH);
  const did = didFromPublicKey(publicKeyFromSeed(seed));
  if (did !== backup.did) return fail("did-mismatch", `the backup says ${backup.did} but holds the key of ${did}; it was not made by EdgePool`);
  return { ok: true, did, seed, kex: secrets.length > SEED_LENGTH ? secrets.slice(SEED_LENGTH) : undefined };
}

/** readBackup then openBackup: the whole import check in one call. */
export async function decryptBackup(text: string, passphrase: string): Promise<OpenedBackup | BackupFailure> {
  const read = readBackup(text);
  return read.ok ? openBackup(read.backup, passphrase) : read;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The bytes of a base64 field of an exact length, or what is wrong with it. */
function decodeField(value: unknown, name: string, length: number): Uint8Array | string {
  if (typeof value !== "string") return `${name} is missing`;
  let bytes: Uint8Array;
  try {
    bytes = base64.baseDecode(value);
  } catch {
    return `${name} is not base64`;
  }
  if (bytes.length !== length) return `${name} is ${bytes.length} bytes, expected ${length}`;
  return bytes;
}
