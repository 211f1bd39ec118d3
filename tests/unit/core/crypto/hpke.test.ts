import { describe, expect, it } from "vitest";
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { hpkeOpen, hpkeSeal, isWeakX25519Key, kexKeyPairFromSeed, utf8, type HpkeSeal } from "../../../../src/core/crypto/index.ts";
import { hpkeSealNode } from "../../../../src/core/crypto/hpke-node.ts";

// The order-1, 2, 4 and 8 points of Curve25519 in u-coordinates (RFC 7748 section 6.1 and the
// list libsodium and curve25519-dalek reject), plus their non-canonical aliases u + p.
const LOW_ORDER = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];
const hex = (h: string) => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));

// Both platforms' seals (WebCrypto for browsers, node:crypto for the CLI) must make the same RFC 9180 messages.
describe.each<[string, HpkeSeal]>([
  ["WebCrypto", hpkeSeal],
  ["node:crypto", hpkeSealNode],
])("HPKE lockbox primitives, sealing through %s", (_, hpkeSeal) => {
  const bob = kexKeyPairFromSeed(new Uint8Array(32).fill(2), "test/kex");
  const carol = kexKeyPairFromSeed(new Uint8Array(32).fill(3), "test/kex");
  const info = utf8("pool P, epoch 1, bob");

  it("opens for the recipient under the same info, and for nobody else", async () => {
    const sealed = await hpkeSeal(bob.publicKey, info, utf8("epoch secret"));
    expect(await hpkeOpen(bob, info, sealed)).toEqual(utf8("epoch secret"));
    expect(await hpkeOpen(carol, info, sealed)).toBeUndefined();
  });

  it("does not open when moved to another context (info) or altered", async () => {
    const sealed = await hpkeSeal(bob.publicKey, info, utf8("epoch secret"));
    expect(await hpkeOpen(bob, utf8("pool P, epoch 1, carol"), sealed)).toBeUndefined();
    const flipped = sealed.slice();
    flipped[40]! ^= 1;
    expect(await hpkeOpen(bob, info, flipped)).toBeUndefined();
    expect(await hpkeOpen(bob, info, sealed.subarray(0, 40))).toBeUndefined();
  });

  // @hpke/core is an independent implementation of RFC 9180 (on WebCrypto): ours must agree with it both ways.
  const reference = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
  const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

  it("seals what RFC 9180's base mode (@hpke/core) opens", async () => {
    const sealed = await hpkeSeal(bob.publicKey, info, utf8("epoch secret"));
    const recipientKey = await reference.kem.deserializePrivateKey(buffer(bob.secretKey));
    const opened = await reference.open({ recipientKey, enc: buffer(sealed.subarray(0, 32)), info: buffer(info) }, buffer(sealed.subarray(32)));
    expect(new Uint8Array(opened)).toEqual(utf8("epoch secret"));
  });

  it("opens what @hpke/core seals, and nothing sealed under another info", async () => {
    const recipientPublicKey = await reference.kem.deserializePublicKey(buffer(bob.publicKey));
    const { enc, ct } = await reference.seal({ recipientPublicKey, info: buffer(info) }, buffer(utf8("epoch secret")));
    const sealed = new Uint8Array([...new Uint8Array(enc), ...new Uint8Array(ct)]);
    expect(await hpkeOpen(bob, info, sealed)).toEqual(utf8("epoch secret"));
    expect(await hpkeOpen(bob, utf8("another context"), sealed)).toBeUndefined();
  });

  it("refuses to seal to a low-order key, and opens nothing whose enc is one", async () => {
    for (const key of LOW_ORDER) await expect(hpkeSeal(hex(key), info, utf8("x")), key).rejects.toThrow();
    const sealed = await hpkeSeal(bob.publicKey, info, utf8("epoch secret"));
    sealed.set(hex(LOW_ORDER[0]!), 0);
    expect(await hpkeOpen(bob, info, sealed)).toBeUndefined();
  });
});

describe("X25519 key-agreement keys", () => {
  const bob = kexKeyPairFromSeed(new Uint8Array(32).fill(2), "test/kex");

  it("derives the same key pair from the same seed and label, another from another label", () => {
    expect(kexKeyPairFromSeed(new Uint8Array(32).fill(2), "test/kex").publicKey).toEqual(bob.publicKey);
    expect(kexKeyPairFromSeed(new Uint8Array(32).fill(2), "test/other").publicKey).not.toEqual(bob.publicKey);
  });

  it("calls every low-order X25519 key weak, and real keys not", () => {
    for (const key of LOW_ORDER) expect(isWeakX25519Key(hex(key)), key).toBe(true);
    expect(isWeakX25519Key(bob.publicKey)).toBe(false);
    expect(isWeakX25519Key(new Uint8Array(31))).toBe(true);
    expect(isWeakX25519Key("not bytes")).toBe(true);
  });
});
