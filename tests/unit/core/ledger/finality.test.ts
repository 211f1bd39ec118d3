import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { bytesToHex } from "../../../../src/core/crypto/index.ts";
import { draftCheckpoint, stateFromCheckpoint } from "../../../../src/core/ledger/checkpoints.ts";
import { foldEntries, Folder, type FoldResult } from "../../../../src/core/ledger/fold.ts";
import { encodeState, stateHash, type LedgerState } from "../../../../src/core/ledger/state.ts";
import type { SignedEntry } from "../../../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { EntryWriter } from "../../../../src/core/ledger/writer.ts";
import { finalityCases } from "../../../../ledger/vectors/cases.ts";
import { T0, writeStory, type Story } from "../../../../ledger/vectors/story.ts";
import { alice, bob, dave, mallory } from "../../../fixtures/identities.ts";

const authoriser = () => new UcanAuthoriser();

let story: Story;
let late: Awaited<ReturnType<typeof finalityCases>>;
/** Entries after the checkpoint: bob submits a job, dave claims it (once his claim delay of 30 s, for a strike, has passed). */
let after: SignedEntry[];
let checkpoint: SignedEntry;
/** The state a node that trusts the story's checkpoint starts from. */
let base: LedgerState;

beforeAll(async () => {
  story = await writeStory();
  late = await finalityCases(story);
  checkpoint = story.entries.at(-1)!;
  const through = checkpoint.entry.body.through as number;
  const bobs = story.writers.bob;
  const submit = await new EntryWriter(bob, story.pool, bobs.seq, bobs.proof).write("job.submit", { task: "t", input: new Uint8Array(), replicas: 1, reward: 1, deadline: T0 + 3_600_000 }, T0 + 60_000);
  const daves = story.writers.dave;
  const claim = await new EntryWriter(dave, story.pool, daves.seq, daves.proof).write("job.claim", { job: submit.id, replica: 0 }, T0 + 91_000);
  after = [submit, claim];
  const snapshot = draftCheckpoint(story.entries, through, authoriser()).snapshot;
  const started = stateFromCheckpoint(checkpoint, snapshot);
  if (!started.ok) throw new Error(started.message);
  base = started.state;
});

const reasons = (fold: FoldResult) => Object.fromEntries([...fold.rejected].map(([id, r]) => [id, r.reason]));
const bytesOf = (fold: FoldResult) => bytesToHex(encodeState(fold.state));

/** The fold of a full node (every entry from genesis) and of a node that started from the checkpoint (what sorts after it). */
function bothNodes(extra: readonly SignedEntry[]): { full: FoldResult; started: FoldResult } {
  const through = checkpoint.entry.body.through as number;
  const full = foldEntries([...story.entries, ...after, ...extra], authoriser());
  // A checkpoint-started node sees only the entries its epoch's document carries: those after the
  // checkpoint, and whatever a peer writes there later (the late ones).
  const started = foldEntries([...after.filter((s) => s.entry.time > through), ...extra], authoriser(), base);
  return { full, started };
}

describe("finality: an accepted checkpoint is final", () => {
  it("a revocation, a claim and a join dated back into the checkpoint's window: full and checkpoint-started nodes refuse them and fold the same state", () => {
    const { full, started } = bothNodes([late.revokeBefore, late.claim, late.join]);
    const refused = { [late.revokeBefore.id]: "before-checkpoint", [late.claim.id]: "before-checkpoint", [late.join.id]: "before-checkpoint" };
    expect(reasons(full)).toEqual(refused);
    expect(reasons(started)).toEqual(refused);
    expect(full.state.checkpoint?.id).toBe(checkpoint.id);
    expect(bytesOf(full)).toBe(bytesOf(started));
    // Dave's claim after the checkpoint stands: the revocation that would have cut it was refused.
    expect(full.state.jobs[after[0]!.id]!.claims[0]?.worker).toBe(dave.did);
    expect(full.state.members[mallory.did]).toBeUndefined();
  });

  it("without a checkpoint past the invite's deadline the backdated join still counts: the checkpoint is what closes the invite", () => {
    const withoutCheckpoint = story.entries.filter((s) => s.id !== checkpoint.id);
    const fold = foldEntries([...withoutCheckpoint, late.join], authoriser());
    expect(reasons(fold)).toEqual({});
    expect(fold.state.members[mallory.did]?.abilities).toEqual(["job/run"]);
  });

  it("a revocation from after the checkpoint still cuts the revoked member's later entries on both nodes", () => {
    const { full, started } = bothNodes([late.revokeAfter]);
    expect(reasons(full)).toEqual({ [after[1]!.id]: "not-authorised" });
    expect(reasons(started)).toEqual(reasons(full));
    expect(bytesOf(full)).toBe(bytesOf(started));
  });

  it("its writer's entry written while the window settled sorts after it with a lower sequence number: full and checkpoint-started nodes both take it", async () => {
    const withoutCheckpoint = story.entries.filter((s) => s.id !== checkpoint.id);
    const through = checkpoint.entry.body.through as number;
    const draft = draftCheckpoint(withoutCheckpoint, through, authoriser());
    const root = new EntryWriter(alice, story.pool, checkpoint.entry.seq - 1, story.writers.alice.proof);
    // Alice submits a job 2 s after `through`, then writes the checkpoint 3 s later.
    const settling = await root.write("job.submit", { task: "t", input: new Uint8Array(), replicas: 1, reward: 1, deadline: T0 + 3_600_000 }, through + 2_000);
    const written = await root.write("checkpoint", draft.body, through + 5_000);
    expect(settling.entry.seq).toBeLessThan(written.entry.seq);
    const full = foldEntries([...withoutCheckpoint, written, settling, ...after], authoriser());
    const started = stateFromCheckpoint(written, draft.snapshot);
    if (!started.ok) throw new Error(started.message);
    const cold = foldEntries([settling, ...after.filter((s) => s.entry.time > through)], authoriser(), started.state);
    expect(reasons(full)).toEqual({});
    expect(reasons(cold)).toEqual({});
    expect(cold.state.jobs[settling.id]?.submitter).toBe(alice.did);
    expect(bytesOf(cold)).toBe(bytesOf(full));
    // A sequence number the checkpoint itself used is still taken, and an entry after it must not go back in time.
    const reused = await new EntryWriter(alice, story.pool, written.entry.seq - 1, story.writers.alice.proof).write("job.submit", { task: "u", input: new Uint8Array(), replicas: 1, reward: 1, deadline: T0 + 3_600_000 }, through + 6_000);
    const backwards = await new EntryWriter(alice, story.pool, written.entry.seq, story.writers.alice.proof).write("job.submit", { task: "v", input: new Uint8Array(), replicas: 1, reward: 1, deadline: T0 + 3_600_000 }, through + 4_000);
    const refused = foldEntries([settling, reused, backwards], authoriser(), started.state);
    expect(reasons(refused)).toEqual({ [reused.id]: "equivocation", [backwards.id]: "time-regression" });
  });

  it("a checkpoint the fold refuses makes nothing late", async () => {
    const withoutCheckpoint = story.entries.filter((s) => s.id !== checkpoint.id);
    const draft = draftCheckpoint(withoutCheckpoint, checkpoint.entry.body.through as number, authoriser());
    // Leaves bob out of its frontier (his entries would be late) and commits to a wrong state.
    const { [bob.did]: _bob, ...frontier } = draft.body.frontier;
    const alices = story.writers.alice;
    const wrong = await new EntryWriter(alice, story.pool, alices.seq).write("checkpoint", { ...draft.body, frontier, state: new Uint8Array(32) }, T0 + 40_000);
    const fold = foldEntries([...withoutCheckpoint, wrong], authoriser());
    expect(reasons(fold)).toEqual({ [wrong.id]: "checkpoint-mismatch" });
    expect(stateHash(fold.state)).toBe(stateHash(foldEntries(withoutCheckpoint, authoriser()).state));
  });

  it("a checkpoint whose frontier claims more than its writer folded is refused", async () => {
    const withoutCheckpoint = story.entries.filter((s) => s.id !== checkpoint.id);
    const draft = draftCheckpoint(withoutCheckpoint, checkpoint.entry.body.through as number, authoriser());
    const alices = story.writers.alice;
    const inflated = await new EntryWriter(alice, story.pool, alices.seq).write("checkpoint", { ...draft.body, frontier: { ...draft.body.frontier, [mallory.did]: 1 } }, T0 + 40_000);
    const fold = foldEntries([...withoutCheckpoint, inflated], authoriser());
    expect(fold.rejected.get(inflated.id)).toMatchObject({ reason: "checkpoint-mismatch", message: expect.stringContaining("frontier") });
  });

  it("a checkpoint may start only the pool's next epoch: epoch 1 is kept in the state, epoch 2 from epoch 0 is refused", async () => {
    const withoutCheckpoint = story.entries.filter((s) => s.id !== checkpoint.id);
    const draft = draftCheckpoint(withoutCheckpoint, checkpoint.entry.body.through as number, authoriser());
    const alices = story.writers.alice;
    const write = (epoch: number) => new EntryWriter(alice, story.pool, alices.seq).write("checkpoint", { ...draft.body, epoch }, T0 + 40_000);
    const starting = foldEntries([...withoutCheckpoint, await write(1)], authoriser());
    expect(reasons(starting)).toEqual({});
    expect(starting.state.checkpoint?.epoch).toBe(1);
    const skipping = await write(2);
    expect(reasons(foldEntries([...withoutCheckpoint, skipping], authoriser()))).toEqual({ [skipping.id]: "conflict" });
    // A later checkpoint that starts no epoch keeps the pool in the one it is in.
    expect(foldEntries(story.entries, authoriser()).state.checkpoint?.epoch).toBeUndefined();
  });

  it("gives the same state when the story and the late entries arrive one by one in any order", () => {
    const all = [...story.entries, ...after, late.revokeBefore, late.claim, late.join];
    const expected = foldEntries(all, authoriser());
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length }), (order) => {
        const folder = new Folder(authoriser());
        for (const signed of order) folder.add([signed]);
        expect(bytesOf(folder.result())).toBe(bytesOf(expected));
        expect(reasons(folder.result())).toEqual(reasons(expected));
      }),
      { numRuns: 60 },
    );
  });
});
