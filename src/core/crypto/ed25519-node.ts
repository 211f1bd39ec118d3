/**
 * Node-only Ed25519 verification through node:crypto's asynchronous `verify`, which runs on libuv's
 * thread pool: with several verifications in flight it uses every core, and it measured the fastest
 * verify API in Node here (bench/ledger.bench.ts). Same rule as `verify` in ed25519.ts: the byte
 * checks and the prime-order key check run first, then OpenSSL's cofactorless equation (the same
 * OpenSSL that backs Node's WebCrypto), so verdicts are identical to the other backends'.
 */
import { createPublicKey, KeyObject, verify as opensslVerify } from "node:crypto";
import { checkPublicKey, type VerifyResult } from "./ed25519.ts";
import { checkSignatureEncoding } from "./ed25519-rule.ts";

const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const KEY_CACHE_LIMIT = 10_000;
/** Per public key: the rule's verdict on the key (point math, so once) and OpenSSL's key object. */
const keys = new Map<string, KeyObject | VerifyResult>();

function keyObject(publicKey: Uint8Array): KeyObject | VerifyResult {
  const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString("latin1");
  let key = keys.get(id);
  if (!key) {
    if (keys.size >= KEY_CACHE_LIMIT) keys.delete(keys.keys().next().value!);
    const keyCheck = checkPublicKey(publicKey);
    key = keyCheck.ok ? createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: "der", type: "spki" }) : keyCheck;
    keys.set(id, key);
  }
  return key;
}

export function verifyNode(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<VerifyResult> {
  const key = keyObject(publicKey);
  if (!(key instanceof KeyObject)) return Promise.resolve(key);
  const violation = checkSignatureEncoding(signature);
  if (violation) return Promise.resolve({ ok: false, reason: violation });
  return new Promise((resolve) => opensslVerify(null, message, key, signature, (error, valid) => resolve(!error && valid ? VALID : EQUATION)));
}

const VALID: VerifyResult = { ok: true };
const EQUATION: VerifyResult = { ok: false, reason: "equation" };
