/**
 * The string form of the CIDs the ledger names things by: CIDv1, a one-byte codec (dag-cbor 0x71
 * for entries, raw 0x55 for tokens), multihash sha2-256, multibase base32 lower ("b…"). Written
 * out here because multiformats' generic encoder cost more than hashing the entry itself; the
 * tests check it against multiformats byte for byte.
 */
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const SHA2_256 = 0x12;
const DIGEST_LENGTH = 32;

export const DAG_CBOR = 0x71;
export const RAW = 0x55;

export function cidString(codec: typeof DAG_CBOR | typeof RAW, digest: Uint8Array): string {
  if (digest.length !== DIGEST_LENGTH) throw new TypeError(`a sha2-256 digest is ${DIGEST_LENGTH} bytes, got ${digest.length}`);
  const bytes = new Uint8Array(4 + DIGEST_LENGTH);
  bytes.set([1, codec, SHA2_256, DIGEST_LENGTH]);
  bytes.set(digest, 4);
  let out = "b";
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(value >>> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
