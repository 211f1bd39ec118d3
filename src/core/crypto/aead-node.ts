/**
 * XChaCha20-Poly1305 (aead.ts) through node:crypto: the subkey from HChaCha20 (noble, one block),
 * then OpenSSL's ChaCha20-Poly1305 (RFC 8439) with the nonce's last 8 bytes after 4 zero bytes, as
 * draft-irtf-cfrg-xchacha section 2.3 builds it. A private pool's envelopes are 1-2 KiB: OpenSSL
 * opens one in a few microseconds, noble in ~30-60.
 */
import { createCipheriv, createDecipheriv } from "node:crypto";
import { hchacha } from "@noble/ciphers/chacha.js";
import { AEAD_TAG_LENGTH, assertKeyAndNonce, type Aead } from "./aead.ts";
import { concatBytes } from "./bytes.ts";
import { bytesOfBuffer } from "./buffer-node.ts";

/** "expand 32-byte k" as little-endian words. */
const SIGMA = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);

/** The ChaCha20-Poly1305 key and 12-byte nonce of an XChaCha20-Poly1305 key and 24-byte nonce. */
function inner(key: Uint8Array, nonce: Uint8Array): { subkey: Uint8Array; iv: Uint8Array } {
  assertKeyAndNonce(key, nonce);
  const words = new Uint32Array(8);
  new Uint8Array(words.buffer).set(key);
  const prefix = new Uint32Array(4);
  new Uint8Array(prefix.buffer).set(nonce.subarray(0, 16));
  const subkey = new Uint32Array(8);
  hchacha(SIGMA, words, prefix, subkey);
  const iv = new Uint8Array(12);
  iv.set(nonce.subarray(16), 4);
  return { subkey: new Uint8Array(subkey.buffer), iv };
}

export const nodeAead: Aead = {
  seal(key, nonce, plaintext, aad) {
    const { subkey, iv } = inner(key, nonce);
    const cipher = createCipheriv("chacha20-poly1305", subkey, iv, { authTagLength: AEAD_TAG_LENGTH });
    cipher.setAAD(aad, { plaintextLength: plaintext.length });
    return concatBytes(cipher.update(plaintext), cipher.final(), cipher.getAuthTag());
  },
  open(key, nonce, sealed, aad) {
    const { subkey, iv } = inner(key, nonce);
    if (sealed.length < AEAD_TAG_LENGTH) return undefined;
    const body = sealed.subarray(0, sealed.length - AEAD_TAG_LENGTH);
    const decipher = createDecipheriv("chacha20-poly1305", subkey, iv, { authTagLength: AEAD_TAG_LENGTH });
    decipher.setAAD(aad, { plaintextLength: body.length });
    decipher.setAuthTag(sealed.subarray(body.length));
    const plaintext = decipher.update(body);
    try {
      decipher.final();
    } catch {
      // A wrong key or altered bytes: the tag does not match. Nothing decrypted is returned.
      return undefined;
    }
    return bytesOfBuffer(plaintext);
  },
};
