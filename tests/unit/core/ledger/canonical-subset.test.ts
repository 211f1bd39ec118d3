import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as dagCbor from "@ipld/dag-cbor";
import { decodeCanonicalSubset } from "../../../../src/core/ledger/canonical-subset.ts";
import { decodeEntry, draftEntry, signEntry, signingBytes } from "../../../../src/core/ledger/codec.ts";
import type { PoolId } from "../../../../src/core/ledger/types.ts";
import { alice } from "../../../fixtures/identities.ts";

/** DAG-CBOR bytes as a plain Uint8Array (dagCbor.encode gives a Buffer in Node, and decoding a Buffer gives Buffers). */
const encode = (value: unknown): Uint8Array => new Uint8Array(dagCbor.encode(value));

/** What the generic path decides: the value, when the bytes decode and encode back to themselves. */
function generic(bytes: Uint8Array): { canonical: boolean; value?: unknown } {
  try {
    const value = dagCbor.decode(bytes);
    return { canonical: Buffer.from(dagCbor.encode(value)).equals(bytes), value };
  } catch {
    return { canonical: false };
  }
}

/** Values the subset holds, and some it does not (floats, non-ASCII, big and negative integers, CIDs' absence aside). */
const values = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.string({ unit: "grapheme", maxLength: 6 }),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.uint8Array({ maxLength: 40 }),
    fc.constantFrom(true, false, null),
  ),
  node: fc.oneof({ depthSize: "small" }, tie("leaf"), fc.array(tie("node"), { maxLength: 5 }), fc.dictionary(fc.string({ maxLength: 8 }), tie("node"), { maxKeys: 6 })),
}));

describe("the canonical DAG-CBOR subset (decoding fast path)", () => {
  it("decodes canonical bytes of subset values to exactly what the generic decoder returns", () => {
    fc.assert(
      fc.property(values.node, (value) => {
        const bytes = encode(value);
        const fast = decodeCanonicalSubset(bytes);
        if (fast !== undefined) expect(fast).toEqual(dagCbor.decode(bytes));
      }),
      { numRuns: 1_000 },
    );
  });

  it("takes ASCII maps, strings, bytes, safe integers, lists, true, false and null", () => {
    const value = { a: 1, b: -24, bb: [true, false, null], seq: 2 ** 40, sig: new Uint8Array(64).fill(7), body: { n: -(2 ** 53 - 1), s: "x".repeat(300) } };
    expect(decodeCanonicalSubset(encode(value))).toEqual(value);
  });

  it("accepts only bytes that the generic path finds canonical, with the same value (mutated and random bytes)", () => {
    const seeds = fc.oneof(
      values.node.map(encode),
      fc.uint8Array({ maxLength: 60 }),
    );
    const mutated = fc.tuple(seeds, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 })).map(([bytes, edits]) => {
      const out = Uint8Array.from(bytes);
      for (const [at, byte] of edits) if (out.length > 0) out[at % out.length] = byte;
      return out;
    });
    fc.assert(
      fc.property(mutated, (bytes) => {
        const fast = decodeCanonicalSubset(bytes);
        if (fast === undefined) return;
        const reference = generic(bytes);
        expect(reference.canonical).toBe(true);
        expect(fast).toEqual(reference.value);
      }),
      { numRuns: 3_000 },
    );
  });

  it("keeps strings apart whose hashes collide (repeated strings are shared, never mixed up)", () => {
    const value = { Aa: "BB", BB: "Aa", list: ["Aa", "BB", "Aa"] }; // "Aa" and "BB" hash alike
    expect(decodeCanonicalSubset(encode(value))).toEqual(value);
    expect(decodeCanonicalSubset(encode(value))).toEqual(value);
  });

  it("leaves to the generic path what it does not hold: non-shortest heads, unsorted or repeated keys, floats, tags, trailing bytes", () => {
    const refused = [
      [0x18, 0x05], // 5 in two bytes
      [0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x02], // keys b, a
      [0xa2, 0x61, 0x61, 0x01, 0x61, 0x61, 0x02], // key a twice
      [0xa2, 0x62, 0x61, 0x61, 0x01, 0x61, 0x62, 0x02], // aa before b
      [0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], // 1.5
      [0xd8, 0x2a, 0x41, 0x00], // tag 42
      [0x01, 0x02], // trailing byte
      [0x62, 0xc3, 0xa9], // "é"
      [0x9f, 0xff], // indefinite list
      [0xf7], // undefined
    ];
    for (const bytes of refused) expect(decodeCanonicalSubset(Uint8Array.from(bytes))).toBeUndefined();
  });

  it("gives decodeEntry the same entry, id and signing bytes as the generic path", async () => {
    const signed = await signEntry(alice.signingKey, draftEntry({ kind: "job.submit", pool: "bexamplepool" as PoolId, author: alice.did, seq: 3, time: 1_700_000_000_000, body: { task: "t", replicas: 3 } }));
    expect(decodeCanonicalSubset(signed.bytes)).toBeDefined();
    const decoded = decodeEntry(signed.bytes);
    expect(decoded.ok && decoded.signed).toEqual({ id: signed.id, bytes: signed.bytes, entry: signed.entry });
    expect(decoded.ok && decoded.signing).toEqual(new Uint8Array(signingBytes(signed.entry)));
  });
});
