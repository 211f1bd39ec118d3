/**
 * Node-only Ed25519 verification through node:crypto's asynchronous `verify`, which runs on libuv's
 * thread pool: with several verifications in flight it uses every core, and it measured the fastest
 * verify API in Node here (bench/ledger.bench.ts). Same rule as `verify` in ed25519.ts: the byte
 * checks and the prime-order key check run first, then OpenSSL's cofactorless equation (the same
 * OpenSSL that backs Node's WebCrypto), so verdicts are identical to the other backends'.
 */
import { createPublicKey, verify as opensslVerify, type KeyObject } from "node:crypto";
import { checkPublicKey, type VerifyResult } from "./ed25519.ts";
import { checkSignatureEncoding } from "./ed25519-rule.ts";

const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const KEY_CACHE_LIMIT = 10_000;
const keys = new Map<string, KeyObject>();

function keyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString("latin1");
  let key = keys.get(id);
  if (!key) {
    if (keys.size >= KEY_CACHE_LIMIT) keys.delete(keys.keys().next().value!);
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: "der", type: "spki" });
    keys.set(id, key);
  }
  return key;
}

export async function verifyNode(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<VerifyResult> {
  const keyCheck = checkPublicKey(publicKey);
  if (!keyCheck.ok) return keyCheck;
  const violation = checkSignatureEncoding(signature);
  if (violation) return { ok: false, reason: violation };
  const ok = await new Promise<boolean>((resolve) => opensslVerify(null, message, keyObject(publicKey), signature, (error, valid) => resolve(!error && valid)));
  return ok ? { ok: true } : { ok: false, reason: "equation" };
}
