/**
 * Blobs (AES-256-GCM, fresh key per blob, 4 MiB chunks with STREAM nonces): the browser's cipher
 * (WebCrypto) and Node's (node:crypto) each keep the format's promises, and each opens what the
 * other sealed, so a blob sealed by a CLI worker opens in the app and the other way round.
 */
import { describe, expect, it } from "vitest";
import { nodeBlobCipher } from "../../../../src/core/crypto/aes-gcm-node.ts";
import { BLOB_CHUNK, bytesEqual, concatBytes, utf8, webBlobCipher, type BlobCipher } from "../../../../src/core/crypto/index.ts";

const ciphers: [string, BlobCipher][] = [
  ["WebCrypto", webBlobCipher],
  ["node:crypto", nodeBlobCipher],
];
/** Two chunks and a bit: the chunk boundary and the short last chunk are both exercised. */
const large = new Uint8Array(2 * BLOB_CHUNK + 1000).map((_, i) => (i * 31) & 255);

describe.each(ciphers)("blobs sealed with %s", (_, cipher) => {
  it("round-trips, and equal plaintexts give different ciphertexts", async () => {
    const a = await cipher.seal(utf8("same input"));
    const b = await cipher.seal(utf8("same input"));
    expect(a.ciphertext).not.toEqual(b.ciphertext);
    expect(await cipher.open(a.key, a.ciphertext)).toEqual(utf8("same input"));
  });

  it("refuses a wrong key or an altered ciphertext, and a key of the wrong length by throwing", async () => {
    const a = await cipher.seal(utf8("input"));
    const b = await cipher.seal(utf8("input"));
    expect(await cipher.open(b.key, a.ciphertext)).toBeUndefined();
    const flipped = a.ciphertext.slice();
    flipped[0]! ^= 1;
    expect(await cipher.open(a.key, flipped)).toBeUndefined();
    await expect(cipher.open(a.key.subarray(1), a.ciphertext)).rejects.toThrow(TypeError);
  });

  it("seals in chunks that cannot be reordered, dropped or cut at a boundary; an empty blob is one tag", async () => {
    const { key, ciphertext } = await cipher.seal(large);
    const sealedChunk = BLOB_CHUNK + 16;
    expect(ciphertext.length).toBe(large.length + 3 * 16);
    // bytesEqual: vitest's deep equality walks a typed array element by element (minutes for 8 MiB).
    expect(bytesEqual((await cipher.open(key, ciphertext))!, large)).toBe(true);
    const swapped = concatBytes(ciphertext.subarray(sealedChunk, 2 * sealedChunk), ciphertext.subarray(0, sealedChunk), ciphertext.subarray(2 * sealedChunk));
    expect(await cipher.open(key, swapped)).toBeUndefined();
    expect(await cipher.open(key, ciphertext.subarray(0, 2 * sealedChunk))).toBeUndefined();
    expect(await cipher.open(key, concatBytes(ciphertext.subarray(0, sealedChunk), ciphertext.subarray(2 * sealedChunk)))).toBeUndefined();
    const empty = await cipher.seal(new Uint8Array(0));
    expect(empty.ciphertext.length).toBe(16);
    expect(await cipher.open(empty.key, empty.ciphertext)).toEqual(new Uint8Array(0));
    expect(await cipher.open(empty.key, new Uint8Array(0))).toBeUndefined();
  });
});

describe("one wire format", () => {
  it.each([
    ["node:crypto opens what WebCrypto sealed", webBlobCipher, nodeBlobCipher],
    ["WebCrypto opens what node:crypto sealed", nodeBlobCipher, webBlobCipher],
  ])("%s", async (_, sealer, opener) => {
    for (const plain of [new Uint8Array(0), utf8("a small input"), large]) {
      const { key, ciphertext } = await sealer.seal(plain);
      expect(bytesEqual((await opener.open(key, ciphertext))!, plain)).toBe(true);
      const cut = ciphertext.subarray(0, ciphertext.length - 1);
      expect(await opener.open(key, cut)).toBeUndefined();
    }
  });
});
