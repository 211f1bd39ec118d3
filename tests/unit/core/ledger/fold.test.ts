import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { bytesToHex } from "../../../../src/core/crypto/index.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { foldEntries, Folder } from "../../../../src/core/ledger/fold.ts";
import { sortTimeOf } from "../../../../src/core/ledger/kinds.ts";
import { encodeState } from "../../../../src/core/ledger/state.ts";
import type { SignedEntry } from "../../../../src/core/ledger/types.ts";
import { balanceAt } from "../../../../src/core/ledger/verdict.ts";
import { OUTPUT_A, T0, writeStory, type Story } from "../../../../ledger/vectors/story.ts";
import { alice, bob, carol, dave, mallory } from "../../../fixtures/identities.ts";
import { EntryWriter } from "../../../../src/core/ledger/writer.ts";

const authoriser = new UcanAuthoriser();

let story: Story;
beforeAll(async () => {
  story = await writeStory();
});

const foldBytes = (entries: readonly SignedEntry[]) => bytesToHex(encodeState(foldEntries(entries, authoriser).state));

describe("fold", () => {
  it("folds the reference story: members, a done job, split reward, dissenter penalised", () => {
    const { state, rejected } = foldEntries(story.entries, authoriser);
    expect([...rejected]).toEqual([]);
    expect(Object.keys(state.members).sort()).toEqual([alice.did, bob.did, carol.did, dave.did].sort());
    const job = state.jobs[story.jobId]!;
    expect(job.status).toBe("done");
    expect(job.verdict!.output).toBe(bytesToHex(OUTPUT_A));
    expect(job.verdict!.workers).toEqual([bob.did, carol.did].sort());
    expect(balanceAt(state.accounts[carol.did]!, T0 + 30_001)).toEqual({ spendable: 0, vesting: 15, nextVest: T0 + 30_001 + 86_400_000 });
    expect(balanceAt(state.accounts[bob.did]!, T0 + 86_400_000 * 2).spendable).toBe(15 - 30 - 3); // reward and 10% tax
    expect(state.reputation[carol.did]!.milli).toBe(1_000);
    expect(state.reputation[dave.did]).toMatchObject({ milli: 0, disagreed: 1 });
    expect(state.checkpoint?.id).toBe(story.entries.at(-1)!.id);
    expect(state.count).toBe(story.entries.length);
  });

  it("gives byte-identical state for any order and any duplication of the same entries", () => {
    const expected = foldBytes(story.entries);
    fc.assert(
      fc.property(fc.shuffledSubarray([...story.entries.keys(), ...story.entries.keys()], { minLength: story.entries.length * 2 }), (order) => {
        expect(foldBytes(order.map((i) => story.entries[i]!))).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("gives the same state when entries arrive one by one in any order as when folded at once", () => {
    const expected = foldBytes(story.entries);
    fc.assert(
      fc.property(fc.shuffledSubarray([...story.entries], { minLength: story.entries.length }), (order) => {
        const folder = new Folder(authoriser);
        for (const signed of order) folder.add([signed]);
        expect(bytesToHex(encodeState(folder.result().state))).toBe(expected);
      }),
      { numRuns: 100 },
    );
  });

  it("folds batches appended in canonical order the same without keeping them, and refuses an entry that sorts earlier", () => {
    const times = story.entries.map((s) => sortTimeOf(s.entry)).sort((a, b) => a - b);
    const middle = times[Math.floor(times.length / 2)]!;
    const early = story.entries.filter((s) => sortTimeOf(s.entry) <= middle);
    const late = story.entries.filter((s) => sortTimeOf(s.entry) > middle);
    const folder = new Folder(authoriser, undefined, { retain: false });
    expect(folder.add(early)).toBe("appended");
    expect(folder.add([early[0]!, ...late])).toBe("out-of-order");
    expect(folder.result().state.count).toBe(early.length);
    expect(folder.add(late)).toBe("appended");
    expect(bytesToHex(encodeState(folder.result().state))).toBe(foldBytes(story.entries));
    const retaining = new Folder(authoriser);
    retaining.add(late);
    expect(retaining.add(early)).toBe("refolded");
    expect(bytesToHex(encodeState(retaining.result().state))).toBe(foldBytes(story.entries));
  });

  it("rejects both entries of an equivocating pair and keeps them as evidence", async () => {
    const twin = new EntryWriter(carol, story.pool, 1, story.writers.carol.proof); // carol's seq 2 was her claim
    const forked = await twin.write("job.claim", { job: story.jobId, replica: 2 }, T0 + 11_500);
    const { rejected, evidence, state } = foldEntries([...story.entries, forked], authoriser);
    const original = story.entries.find((s) => s.entry.author === carol.did && s.entry.seq === 2)!;
    expect(rejected.get(forked.id)?.reason).toBe("equivocation");
    expect(rejected.get(original.id)?.reason).toBe("equivocation");
    expect(evidence).toEqual([{ author: carol.did, seq: 2, ids: [forked.id, original.id].sort() }]);
    expect(state.jobs[story.jobId]!.status).toBe("open");
  });

  it("refuses entries from a non-member and a member.join written by someone other than the joiner", async () => {
    const intruder = await new EntryWriter(mallory, story.pool).write("job.submit", { task: "x", input: new Uint8Array(), replicas: 1, reward: 1, deadline: T0 + 99_999 }, T0 + 50_000);
    const escalation = await new EntryWriter(bob, story.pool, 100, story.writers.bob.proof).write("member.join", { member: mallory.did, abilities: ["job/run"], invite: story.entries[1]!.entry.body.invite }, T0 + 50_001);
    const { rejected, state } = foldEntries([...story.entries, intruder, escalation], authoriser);
    expect(rejected.get(intruder.id)?.reason).toBe("not-authorised");
    expect(rejected.get(escalation.id)?.reason).toBe("not-authorised");
    expect(state.members[mallory.did]).toBeUndefined();
  });

  it("refuses a later entry of an author that goes back in time", async () => {
    const backdated = await new EntryWriter(bob, story.pool, 50, story.writers.bob.proof).write("job.submit", { task: "x", input: new Uint8Array(), replicas: 1, reward: 1, deadline: T0 + 99_999 }, T0 + 5);
    expect(foldEntries([...story.entries, backdated], authoriser).rejected.get(backdated.id)?.reason).toBe("time-regression");
  });

  it("refuses a checkpoint that commits to a different state", async () => {
    const checkpoint = story.entries.at(-1)!;
    const body = { ...checkpoint.entry.body, count: (checkpoint.entry.body.count as number) + 1 };
    const wrong = await new EntryWriter(alice, story.pool, 10).write("checkpoint", body, T0 + 41_000);
    expect(foldEntries([...story.entries.slice(0, -1), wrong], authoriser).rejected.get(wrong.id)?.reason).toBe("checkpoint-mismatch");
  });
});
