/**
 * Ed25519 signing and verification: the one module through which every signature in EdgePool goes.
 * WebCrypto where the runtime has Ed25519 (Node 20, current Chromium; about 10x noble's verify
 * rate), `@noble/ed25519` where it does not. Both give identical signatures (Ed25519 is
 * deterministic) and, because `ed25519-rule.ts` runs first, identical verdicts.
 */
import * as noble from "@noble/ed25519";
import { sha512 as nobleSha512 } from "@noble/hashes/sha2.js";
import { concatBytes, toArrayBufferBytes, randomBytes } from "./bytes.ts";
import { checkPublicKeyEncoding, checkSignatureEncoding, type SignatureRuleViolation } from "./ed25519-rule.ts";

noble.hashes.sha512 = nobleSha512;

export type BackendName = "webcrypto" | "noble";

export type VerifyFailure = SignatureRuleViolation | "a-not-prime-order" | "r-not-prime-order" | "equation";
export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure };

/** An Ed25519 verifier applying EdgePool's signature rule: `verify` here, or Node's `verifyNode` (thread pool). */
export type SignatureVerifier = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<VerifyResult>;

/** A key that can sign: a seed held in memory, or a non-extractable WebCrypto key. */
export interface SigningKey {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

let webCryptoSupport: Promise<boolean> | undefined;

/** Whether this runtime's WebCrypto implements Ed25519 (probed once). */
export function hasWebCryptoEd25519(): Promise<boolean> {
  webCryptoSupport ??= (async () => {
    try {
      const subtle = globalThis.crypto?.subtle;
      if (!subtle) return false;
      const key = await subtle.importKey("raw", toArrayBufferBytes(noble.getPublicKey(new Uint8Array(32))), { name: "Ed25519" }, false, ["verify"]);
      return key.type === "public";
    } catch {
      return false;
    }
  })();
  return webCryptoSupport;
}

let forcedBackend: BackendName | undefined;

/** Forces one backend (tests compare both; the default picks WebCrypto when present). */
export function useBackend(name: BackendName | undefined): void {
  forcedBackend = name;
}

export async function activeBackend(): Promise<BackendName> {
  if (forcedBackend) return forcedBackend;
  return (await hasWebCryptoEd25519()) ? "webcrypto" : "noble";
}

// Imported WebCrypto verify keys and prime-order checks, per public key. Bounded: a flood of
// distinct keys costs recomputation, never unbounded memory.
const KEY_CACHE_LIMIT = 10_000;
const verifyKeys = new Map<string, Promise<CryptoKey>>();
const primeOrderKeys = new Map<string, boolean>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= KEY_CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

const cacheKey = (publicKey: Uint8Array): string => String.fromCharCode(...publicKey);

function webCryptoVerifyKey(publicKey: Uint8Array): Promise<CryptoKey> {
  const id = cacheKey(publicKey);
  return (
    verifyKeys.get(id) ??
    remember(verifyKeys, id, globalThis.crypto.subtle.importKey("raw", toArrayBufferBytes(publicKey), { name: "Ed25519" }, false, ["verify"]))
  );
}

/** Rule step 4: A is in the prime-order subgroup. Point math, so cached per key. */
function isPrimeOrderKey(publicKey: Uint8Array): boolean {
  const id = cacheKey(publicKey);
  const known = primeOrderKeys.get(id);
  if (known !== undefined) return known;
  let ok: boolean;
  try {
    ok = noble.Point.fromBytes(publicKey).isTorsionFree();
  } catch {
    ok = false;
  }
  return remember(primeOrderKeys, id, ok);
}

/** Checks a public key against the signature rule once (encoding, order, subgroup). */
export function checkPublicKey(publicKey: Uint8Array): VerifyResult {
  const violation = checkPublicKeyEncoding(publicKey);
  if (violation) return { ok: false, reason: violation };
  if (!isPrimeOrderKey(publicKey)) return { ok: false, reason: "a-not-prime-order" };
  return { ok: true };
}

/** Verifies under EdgePool's signature rule; the reason says which part failed. */
export async function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<VerifyResult> {
  const keyCheck = checkPublicKey(publicKey);
  if (!keyCheck.ok) return keyCheck;
  const violation = checkSignatureEncoding(signature);
  if (violation) return { ok: false, reason: violation };
  const backend = await activeBackend();
  const ok = backend === "webcrypto" ? await webCryptoVerify(publicKey, message, signature) : nobleVerify(publicKey, message, signature);
  return ok === true ? { ok: true } : { ok: false, reason: ok === false ? "equation" : ok };
}

async function webCryptoVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const key = await webCryptoVerifyKey(publicKey);
  return globalThis.crypto.subtle.verify({ name: "Ed25519" }, key, toArrayBufferBytes(signature), toArrayBufferBytes(message));
}

/** noble checks the cofactored equation, so R must also be torsion-free to match the cofactorless rule. */
function nobleVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean | "r-not-prime-order" {
  try {
    if (!noble.Point.fromBytes(signature.subarray(0, 32)).isTorsionFree()) return "r-not-prime-order";
  } catch {
    return false;
  }
  return noble.verify(signature, message, publicKey, { zip215: false });
}

export function generateSeed(): Uint8Array {
  return randomBytes(32);
}

export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  assertSeed(seed);
  return noble.getPublicKey(seed);
}

function assertSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    throw new TypeError(`Ed25519 seed must be 32 bytes, got ${seed instanceof Uint8Array ? seed.length : typeof seed}`);
  }
}

/** Signs with a seed held in memory, through the active backend. */
export async function signWithSeed(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  assertSeed(seed);
  if ((await activeBackend()) === "noble") return noble.sign(message, seed);
  return webCryptoSign(await importSeed(seed), message);
}

function importSeed(seed: Uint8Array): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey("pkcs8", toArrayBufferBytes(concatBytes(PKCS8_ED25519_PREFIX, seed)), { name: "Ed25519" }, false, ["sign"]);
}

async function webCryptoSign(privateKey: CryptoKey, message: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.sign({ name: "Ed25519" }, privateKey, toArrayBufferBytes(message)));
}

/**
 * A signing key over a seed kept in memory (Node keystore, tests, the noble fallback). The
 * WebCrypto key is imported once per SigningKey, not once per signature.
 */
export function seedSigningKey(seed: Uint8Array): SigningKey {
  const secret = seed.slice();
  let imported: Promise<CryptoKey> | undefined;
  return {
    publicKey: publicKeyFromSeed(secret),
    sign: async (message) => {
      if ((await activeBackend()) === "noble") return noble.sign(message, secret);
      imported ??= importSeed(secret);
      return webCryptoSign(await imported, message);
    },
  };
}

/**
 * A fresh non-extractable WebCrypto key pair (the browser keystore keeps the CryptoKey in
 * IndexedDB; script can use it but never read it). Undefined where WebCrypto lacks Ed25519.
 */
export async function generateNonExtractableKey(): Promise<{ signingKey: SigningKey; privateKey: CryptoKey } | undefined> {
  if (!(await hasWebCryptoEd25519())) return undefined;
  const pair = (await globalThis.crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as CryptoKeyPair;
  return { signingKey: await cryptoKeySigningKey(pair.privateKey, pair.publicKey), privateKey: pair.privateKey };
}

/** Wraps a stored WebCrypto private key and its public key as a SigningKey. */
export async function cryptoKeySigningKey(privateKey: CryptoKey, publicKey: CryptoKey | Uint8Array): Promise<SigningKey> {
  const raw = publicKey instanceof Uint8Array ? publicKey : new Uint8Array(await globalThis.crypto.subtle.exportKey("raw", publicKey));
  return { publicKey: raw, sign: (message) => webCryptoSign(privateKey, message) };
}
