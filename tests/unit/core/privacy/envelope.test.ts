import { describe, expect, it } from "vitest";
import * as dagCbor from "@ipld/dag-cbor";
import { aeadSeal, concatBytes, randomBytes, utf8 } from "../../../../src/core/crypto/index.ts";
import { createPool } from "../../../../src/core/ledger/writer.ts";
import type { PoolId, SignedEntry } from "../../../../src/core/ledger/types.ts";
import { deflate } from "../../../../src/core/privacy/deflate.ts";
import { webPrivacy, type PrivacyNative } from "../../../../src/core/privacy/native.ts";
import { nodePrivacy } from "../../../../src/core/privacy/native-node.ts";
import { envelopeHash, MAX_BATCH_ENTRIES, openEnvelope, sealEnvelope } from "../../../../src/core/privacy/envelope.ts";
import { deriveEpochKey, newEpochKey, type EpochKey } from "../../../../src/core/privacy/epoch-key.ts";
import { isPadmeLength } from "../../../../src/core/privacy/padme.ts";
import { alice } from "../../../fixtures/identities.ts";

const SETTINGS = { name: "private", replication: 1, rewardPerJob: 1, vestingSeconds: 0, leaseSeconds: 60 };

async function entries(n: number): Promise<{ pool: PoolId; signed: SignedEntry[] }> {
  const { pool, entry, writer } = await createPool(alice, SETTINGS, new Uint8Array(16).fill(9), 1_000);
  const signed = [entry];
  for (let i = 1; i < n; i++) signed.push(await writer.write("ucan.revoke", { target: `token-${i}` }, 1_000 + i));
  return { pool, signed };
}

const keyring = (...keys: EpochKey[]) => (id: string) => keys.find((k) => k.keyId === id);

// Browsers seal and open through noble and web streams, Node's nodes through node:crypto and node:zlib: the same bytes and verdicts.
describe.each<[string, PrivacyNative]>([
  ["the browser's parts", webPrivacy],
  ["Node's parts", nodePrivacy],
])("envelopes, through %s", (_, native) => {
  it("round-trips a batch of whole signed entries, at a Padmé length", async () => {
    const { pool, signed } = await entries(16);
    const key = newEpochKey(pool, 0);
    const { hash, bytes } = await sealEnvelope(key, signed, [], native);
    expect(isPadmeLength(bytes.length)).toBe(true);
    const opened = await openEnvelope(pool, hash, bytes, keyring(key), native);
    expect(opened.ok && opened.keyId).toBe(key.keyId);
    expect(opened.ok && opened.entries.map((e) => [...e])).toEqual(signed.map((s) => [...s.bytes]));
  });

  it("batched, costs less per entry than the signed entries themselves", async () => {
    const { pool, signed } = await entries(16);
    const { bytes } = await sealEnvelope(newEpochKey(pool, 0), signed, [], native);
    const plain = signed.reduce((n, s) => n + s.bytes.length, 0);
    expect(bytes.length).toBeLessThan(plain);
  });

  it("shows no plaintext: no DID, kind or pool id in the bytes", async () => {
    const { pool, signed } = await entries(4);
    const { bytes } = await sealEnvelope(newEpochKey(pool, 0), signed, [], native);
    const text = new TextDecoder("latin1").decode(bytes);
    for (const needle of [alice.did, "pool.create", "ucan.revoke", pool]) expect(text).not.toContain(needle);
  });

  it("names each failure: tampered key, bad ciphertext (flip, truncation, other pool), pending key", async () => {
    const { pool, signed } = await entries(3);
    const key = newEpochKey(pool, 0);
    const { hash, bytes } = await sealEnvelope(key, signed, [], native);
    const other = (await sealEnvelope(key, signed.slice(0, 1), [], native)).hash;
    expect(await openEnvelope(pool, other, bytes, keyring(key), native)).toMatchObject({ ok: false, reason: "tampered-key" });
    const flipped = bytes.slice();
    flipped[bytes.length - 20]! ^= 1;
    expect(await openEnvelope(pool, envelopeHash(flipped, native), flipped, keyring(key), native)).toMatchObject({ ok: false, reason: "bad-ciphertext" });
    const cut = bytes.subarray(0, bytes.length - 1);
    expect(await openEnvelope(pool, envelopeHash(cut, native), cut, keyring(key), native)).toMatchObject({ ok: false, reason: "bad-ciphertext" });
    // The same key id and secret in another pool: the pool in the associated data keeps it out.
    const elsewhere = { ...key, pool: "elsewhere" as PoolId };
    expect(await openEnvelope(elsewhere.pool, hash, bytes, keyring(elsewhere), native)).toMatchObject({ ok: false, reason: "bad-ciphertext" });
    expect(await openEnvelope(pool, hash, bytes, keyring(), native)).toMatchObject({ ok: false, reason: "pending-key" });
    expect(await openEnvelope(pool, hash, "text", keyring(key), native)).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("stops inflating at the limit (a member's deflate bomb)", async () => {
    const { pool } = await entries(1);
    const key = newEpochKey(pool, 0);
    const bomb = await native.deflater.deflate(new Uint8Array(8 * 1024 * 1024));
    const padded = concatBytes(new Uint8Array([0, 0, 0, 0]), bomb);
    new DataView(padded.buffer).setUint32(0, bomb.length);
    const bytes = forge(key, padded);
    expect(await openEnvelope(pool, envelopeHash(bytes), bytes, keyring(key), native)).toMatchObject({ ok: false, reason: "too-large" });
  });

  it("refuses sealed content that is not a list of byte strings", async () => {
    const { pool } = await entries(1);
    const key = newEpochKey(pool, 0);
    const content = await native.deflater.deflate(dagCbor.encode({ not: "a list" }));
    const padded = concatBytes(new Uint8Array(4), content);
    new DataView(padded.buffer).setUint32(0, content.length);
    const bytes = forge(key, padded);
    expect(await openEnvelope(pool, envelopeHash(bytes), bytes, keyring(key), native)).toMatchObject({ ok: false, reason: "malformed" });
  });
});

describe("envelopes across platforms", () => {
  it("open with either platform's parts whichever sealed them, and both refuse a broken or truncated stream", async () => {
    const { pool, signed } = await entries(16);
    const key = newEpochKey(pool, 0);
    for (const [sealer, opener] of [
      [webPrivacy, nodePrivacy],
      [nodePrivacy, webPrivacy],
    ]) {
      const { hash, bytes } = await sealEnvelope(key, signed, [], sealer);
      const opened = await openEnvelope(pool, hash, bytes, keyring(key), opener);
      expect(opened.ok && opened.entries.map((e) => [...e])).toEqual(signed.map((s) => [...s.bytes]));
    }
    const stream = await deflate(utf8("a batch, ".repeat(50)));
    for (const broken of [stream.subarray(0, stream.length - 3), Uint8Array.of(0xff, 0xff, 0xff)]) {
      for (const { deflater } of [webPrivacy, nodePrivacy]) expect(await deflater.inflate(broken, 1_000_000)).toMatchObject({ ok: false, reason: "malformed" });
    }
    // Browsers refuse bytes after the stream's end (Chromium checked by hand); Node's zlib and Node's
    // own web streams would ignore them: both adapters must refuse them as browsers do.
    for (const junk of [[0], [1, 2, 3]]) {
      const trailing = new Uint8Array([...stream, ...junk]);
      for (const { deflater } of [webPrivacy, nodePrivacy]) {
        expect(await deflater.inflate(trailing, 1_000_000)).toMatchObject({ ok: false, reason: "malformed", message: expect.stringContaining("after the end of the stream") });
        expect(await deflater.inflate(stream, 1_000_000)).toMatchObject({ ok: true, bytes: utf8("a batch, ".repeat(50)) });
      }
    }
    expect(await nodePrivacy.deflater.inflate(new Uint8Array([...stream, 1, 2, 3]), 1_000_000)).toMatchObject({ message: expect.stringContaining("3 bytes after the end") });
  });

  it("derives keys from the secret, pool and epoch, and refuses empty or oversized batches", async () => {
    const secret = randomBytes(32);
    expect(deriveEpochKey("p" as PoolId, 1, secret).keyId).toBe(deriveEpochKey("p" as PoolId, 1, secret).keyId);
    expect(deriveEpochKey("p" as PoolId, 1, secret).keyId).not.toBe(deriveEpochKey("p" as PoolId, 2, secret).keyId);
    expect(deriveEpochKey("p" as PoolId, 1, secret).documentId).not.toBe(deriveEpochKey("q" as PoolId, 1, secret).documentId);
    const { pool, signed } = await entries(1);
    await expect(sealEnvelope(newEpochKey(pool, 0), [])).rejects.toThrow(RangeError);
    await expect(sealEnvelope(newEpochKey(pool, 0), Array(MAX_BATCH_ENTRIES + 1).fill(signed[0]))).rejects.toThrow(RangeError);
  });
});

/** An envelope a hostile member could build: any padded content, sealed correctly. */
function forge(key: EpochKey, padded: Uint8Array): Uint8Array {
  const keyId = Uint8Array.from(key.keyId.match(/../g)!, (h) => parseInt(h, 16));
  const nonce = randomBytes(24);
  const ad = concatBytes(utf8(`edgepool/envelope/v1\0${key.pool}\0`), keyId);
  return concatBytes(Uint8Array.of(1), keyId, nonce, aeadSeal(key.entryKey, nonce, padded, ad));
}
