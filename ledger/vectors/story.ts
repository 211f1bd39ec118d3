/**
 * The reference story the vectors and the tests share: alice creates a pool and invites bob and
 * carol, bob invites dave, each joins with its UCAN chain; bob submits a job with three replicas; bob and carol compute output A, dave computes B;
 * the verdict is A; alice checkpoints. Keys and times are fixed, so every byte is reproducible.
 */
import { sha256, utf8 } from "../../src/core/crypto/index.ts";
import { draftCheckpoint } from "../../src/core/ledger/checkpoints.ts";
import { createPoolWithMembers } from "../../src/core/ledger/pool-members.ts";
import type { PoolSettingsState } from "../../src/core/ledger/state.ts";
import type { PoolId, SignedEntry } from "../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../src/core/ledger/ucan-authoriser.ts";
import { resultCommitment, type Author, type EntryWriter } from "../../src/core/ledger/writer.ts";
import { alice, bob, carol, dave } from "../../tests/fixtures/identities.ts";
import { seededRandom } from "../../tests/fixtures/seeded-random.ts";

/** 2026-01-01T00:00:00Z. */
export const T0 = 1_767_225_600_000;
export const SETTINGS: PoolSettingsState = { name: "lab", replication: 3, rewardPerJob: 10, vestingSeconds: 86_400, leaseSeconds: 300 };
export const NONCE = new Uint8Array(16).fill(7);
export const OUTPUT_A = sha256(utf8("output A"));
export const OUTPUT_B = sha256(utf8("output B"));

export interface Story {
  readonly pool: PoolId;
  readonly writers: Readonly<Record<"alice" | "bob" | "carol" | "dave", EntryWriter>>;
  /** Every entry in the order written (checkpoint last). */
  readonly entries: readonly SignedEntry[];
  readonly jobId: SignedEntry["id"];
}

const saltOf = (who: Author): Uint8Array => sha256(utf8(`salt ${who.did}`)).subarray(0, 16);

export async function writeStory(): Promise<Story> {
  const created = await createPoolWithMembers({
    root: alice,
    settings: SETTINGS,
    nonce: NONCE,
    time: T0,
    members: [
      { identity: bob, abilities: ["job/run", "job/submit", "member/invite"], time: T0 + 1_000 },
      { identity: carol, abilities: ["job/run"], time: T0 + 2_000 },
      { identity: dave, abilities: ["job/run"], invitedBy: bob.did, time: T0 + 3_000 },
    ],
    random: seededRandom("ledger vectors"),
  });
  const { pool } = created;
  const writerOf = (who: Author) => created.writers.get(who.did)!;
  const writers = { alice: writerOf(alice), bob: writerOf(bob), carol: writerOf(carol), dave: writerOf(dave) };
  const entries: SignedEntry[] = [...created.entries];
  const push = async (p: Promise<SignedEntry>) => {
    const signed = await p;
    entries.push(signed);
    return signed;
  };
  const job = await push(
    writers.bob.write("job.submit", { task: "mandelbrot", input: utf8("tile 0 0"), replicas: 3, reward: 30, deadline: T0 + 3_600_000 }, T0 + 10_000),
  );
  const workers = [
    { name: "bob", who: bob, output: OUTPUT_A },
    { name: "carol", who: carol, output: OUTPUT_A },
    { name: "dave", who: dave, output: OUTPUT_B },
  ] as const;
  for (const [replica, w] of workers.entries()) await push(writers[w.name].write("job.claim", { job: job.id, replica }, T0 + 11_000 + replica));
  for (const [replica, w] of workers.entries()) {
    await push(writers[w.name].write("result.commit", { job: job.id, replica, commitment: resultCommitment(saltOf(w.who), w.output) }, T0 + 20_000 + replica));
  }
  for (const [i, w] of workers.entries()) await push(writers[w.name].write("result.reveal", { job: job.id, salt: saltOf(w.who), output: w.output }, T0 + 30_000 + i));
  const draft = draftCheckpoint(entries, T0 + 35_000, new UcanAuthoriser());
  await push(writers.alice.write("checkpoint", draft.body, T0 + 40_000));
  return { pool, writers, entries, jobId: job.id };
}
