import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CID } from "multiformats/cid";
import * as dagCbor from "@ipld/dag-cbor";
import { decodeEntry, draftEntry, entryIdOf, isSignedHere, signEntry, signingBytes } from "../../../../src/core/ledger/codec.ts";
import { isEntryId } from "../../../../src/core/ledger/schema.ts";
import { verify } from "../../../../src/core/crypto/index.ts";
import type { PoolId } from "../../../../src/core/ledger/types.ts";
import { alice, mallory } from "../../../fixtures/identities.ts";

const pool = "bexamplepool" as PoolId;
const sample = () =>
  signEntry(alice.signingKey, draftEntry({ kind: "job.submit", pool, author: alice.did, seq: 3, time: 1_700_000_000_000, body: { task: "t", replicas: 3 } }));

describe("entry codec", () => {
  it("round-trips a signed entry to the same bytes and id", async () => {
    const signed = await sample();
    const decoded = decodeEntry(signed.bytes);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.signed.id).toBe(signed.id);
    expect(decoded.signed.entry).toEqual(signed.entry);
    expect(signed.id.startsWith("bafyrei")).toBe(true);
  });

  it("signs the canonical encoding of every field but the signature", async () => {
    const signed = await sample();
    expect(await verify(alice.signingKey.publicKey, signingBytes(signed.entry), signed.entry.sig)).toEqual({ ok: true });
  });

  it("builds the canonical encoding of the whole entry, and marks only what its author's key signed here", async () => {
    const signed = await sample();
    expect(signed.bytes).toEqual(new Uint8Array(dagCbor.encode(signed.entry)));
    expect(isSignedHere(signed)).toBe(true);
    expect(isSignedHere({ ...signed, bytes: signed.bytes.slice() })).toBe(false);
    const forged = await signEntry(mallory.signingKey, draftEntry({ kind: "job.submit", pool, author: alice.did, seq: 4, time: 1_700_000_000_000, body: {} }));
    expect(isSignedHere(forged)).toBe(false);
  });

  it("refuses bytes that are valid CBOR but not canonical", async () => {
    const signed = await sample();
    // seq = 3 written as a one-byte-argument integer (0x18 0x03) instead of the minimal 0x03.
    const seqKey = [0x63, 0x73, 0x65, 0x71, 0x03];
    const at = signed.bytes.findIndex((_, i) => seqKey.every((b, j) => signed.bytes[i + j] === b)) + 4;
    const widened = Uint8Array.from([...signed.bytes.subarray(0, at), 0x18, 0x03, ...signed.bytes.subarray(at + 1)]);
    const result = decodeEntry(widened);
    expect(result.ok ? "accepted" : result.reason).toMatch(/^(malformed|non-canonical)$/);
  });

  it("names the field that is wrong", async () => {
    const signed = await sample();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...signed.entry, v: 2 }, "bad-version"],
      [{ ...signed.entry, kind: "pool.delete" }, "unknown-kind"],
      [{ ...signed.entry, author: "did:key:zNotAKey" }, "bad-author"],
      [{ ...signed.entry, seq: 0 }, "malformed"],
      [{ ...signed.entry, sig: new Uint8Array(63) }, "malformed"],
      [{ ...signed.entry, extra: 1 }, "malformed"],
      [{ ...signed.entry, proof: [1] }, "malformed"],
    ];
    for (const [value, reason] of cases) {
      const result = decodeEntry(dagCbor.encode(value));
      expect(result.ok ? "accepted" : result.reason).toBe(reason);
    }
  });

  it("never throws on random bytes and accepts none of them", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(decodeEntry(bytes).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws on mutated entries; a mutation that decodes has a different id", async () => {
    const signed = await sample();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: signed.bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const bytes = signed.bytes.slice();
        bytes[at] = bytes[at]! ^ xor;
        const result = decodeEntry(bytes);
        if (result.ok) expect(result.signed.id).not.toBe(signed.id);
      }),
      { numRuns: 2000 },
    );
  });

  it("recognises exactly the canonical id strings", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 7, max: 58 }), fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz234567"), (bytes, at, char) => {
        const id = entryIdOf(bytes);
        expect(isEntryId(id)).toBe(true);
        const changed = id.slice(0, at) + char + id.slice(at + 1);
        let canonical = false;
        try {
          canonical = CID.parse(changed).toString() === changed;
        } catch {
          canonical = false;
        }
        expect(isEntryId(changed)).toBe(canonical);
      }),
      { numRuns: 2000 },
    );
  });
});
