/**
 * The issuer's side of Privacy Pass type 2 (RFC 9578, 6.2; RFC 9474 BlindSign) on node:crypto's
 * RSA with CRT (~0.5 ms a token, against ~300 ms for the pure-JS signer in blindrsa-ts).
 */
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt, publicEncrypt, type KeyObject } from "node:crypto";
import { publicVerif } from "@cloudflare/privacypass-ts";
import { sha256 } from "./hash.ts";

const TOKEN_TYPE = 0x0002;

export interface BlindRsaIssuerKey {
  readonly privateKey: KeyObject;
  /** DER SubjectPublicKeyInfo with the RSASSA-PSS algorithm identifier, as RFC 9578 publishes it. */
  readonly spki: Uint8Array;
  /** The last byte of SHA-256(spki): what a TokenRequest names (truncated_token_key_id). */
  readonly truncatedKeyId: number;
}

export type BlindSignResult = { readonly ok: true; readonly response: Uint8Array } | { readonly ok: false; readonly message: string };

/** A new 2048-bit issuer key as PKCS#8 PEM (a plain RSA key: OpenSSL refuses raw RSA on PSS-restricted keys). */
export function generateIssuerKey(): string {
  return generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "der" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } }).privateKey;
}

export type IssuerKeyResult = { readonly ok: true; readonly key: BlindRsaIssuerKey } | { readonly ok: false; readonly message: string };

export function issuerKeyFromPem(pem: string): IssuerKeyResult {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    return { ok: false, message: `not a private key in PEM: ${(error as Error).message}` };
  }
  if (privateKey.asymmetricKeyType !== "rsa" || privateKey.asymmetricKeyDetails?.modulusLength !== 2048) return { ok: false, message: "an issuer key must be a 2048-bit RSA key" };
  const plain = new Uint8Array(createPublicKey(privateKey).export({ type: "spki", format: "der" }));
  const spki = publicVerif.convertEncToRSASSAPSS(plain);
  return { ok: true, key: { privateKey, spki, truncatedKeyId: sha256(spki).at(-1)! } };
}

/** Signs a serialised TokenRequest (type, truncated key id, blinded message); checks the result before returning it. */
export function blindSign(key: BlindRsaIssuerKey, request: Uint8Array): BlindSignResult {
  const modulusBytes = 256;
  if (request.length !== 3 + modulusBytes) return { ok: false, message: `a token request is ${3 + modulusBytes} bytes for this issuer, not ${request.length}` };
  if (((request[0]! << 8) | request[1]!) !== TOKEN_TYPE) return { ok: false, message: "only token type 2 (publicly verifiable) is issued here" };
  if (request[2] !== key.truncatedKeyId) return { ok: false, message: "the request names another issuer key" };
  const blinded = request.subarray(3);
  try {
    const signature = privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, blinded);
    // RFC 9474, 4.3: verify before releasing, so a fault in the CRT computation cannot leak the key.
    const check = publicEncrypt({ key: createPublicKey(key.privateKey), padding: constants.RSA_NO_PADDING }, signature);
    if (!check.equals(blinded)) return { ok: false, message: "the signature failed its own check; nothing was released" };
    return { ok: true, response: new Uint8Array(signature) };
  } catch {
    // OpenSSL refuses a blinded message not below the modulus.
    return { ok: false, message: "the blinded message is not a valid RSA input for this key" };
  }
}
