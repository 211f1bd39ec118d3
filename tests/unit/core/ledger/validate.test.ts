import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import * as dagCbor from "@ipld/dag-cbor";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { validateEntry, type ValidationContext } from "../../../../src/core/ledger/validate.ts";
import { T0, writeStory, type Story } from "../../../../ledger/vectors/story.ts";

const authoriser = new UcanAuthoriser();

let story: Story;
let context: ValidationContext;
beforeAll(async () => {
  story = await writeStory();
  // The delegations the entries name by CID, as a reader finds them in the document's tokens.
  for (const signed of story.entries) for (const token of signed.tokens ?? []) authoriser.tokens.add(token);
  context = { pool: story.pool, authoriser, now: () => T0 + 100_000, skewMs: 120_000 };
});

describe("stateless validation under hostile input", () => {
  it("accepts every entry of the reference story", async () => {
    for (const signed of story.entries) expect((await validateEntry(signed.bytes, context)).ok).toBe(true);
  });

  it("never accepts an entry with any byte changed, and never throws", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: story.entries.length - 1 }), fc.nat(), fc.integer({ min: 1, max: 255 }), async (which, at, xor) => {
        const bytes = story.entries[which]!.bytes.slice();
        bytes[at % bytes.length] = bytes[at % bytes.length]! ^ xor;
        expect((await validateEntry(bytes, context)).ok).toBe(false);
      }),
      { numRuns: 1500 },
    );
  });

  it("never accepts a well-formed map of random field values, and never throws", async () => {
    const value = fc.oneof(fc.integer(), fc.string(), fc.uint8Array({ maxLength: 70 }), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.integer()));
    const fields = fc.record({ v: value, kind: fc.oneof(fc.constantFrom("job.submit", "checkpoint", "pool.create"), fc.string()), pool: fc.oneof(fc.constant(story?.pool ?? ""), fc.string()), author: value, seq: value, time: value, body: value, proof: value, sig: value });
    await fc.assert(
      fc.asyncProperty(fields, async (record) => {
        expect((await validateEntry(dagCbor.encode(record), context)).ok).toBe(false);
      }),
      { numRuns: 1500 },
    );
  });

  it("refuses a value that is not bytes at all", async () => {
    for (const value of [undefined, null, 42, "bafy", {}, [1, 2]]) expect(await validateEntry(value, context)).toMatchObject({ ok: false, reason: "malformed" });
  });
});
