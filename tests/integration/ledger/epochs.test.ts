import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Repo, type StorageKey } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { ledgerDocumentId, ledgerDocumentUrl, type LedgerDoc } from "../../../src/core/ledger/document.ts";
import { latestEpoch, openEpoch, startNextEpoch, verifyPool } from "../../../src/core/ledger/epochs.ts";
import { holdsEpoch } from "../../../src/core/ledger/epoch-marks.ts";
import { Ledger } from "../../../src/core/ledger/ledger.ts";
import { EntryWriter } from "../../../src/core/ledger/writer.ts";
import { stateHash } from "../../../src/core/ledger/state.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { finalityCases } from "../../../ledger/vectors/cases.ts";
import { T0, writeStory, type Story } from "../../../ledger/vectors/story.ts";
import { alice, bob } from "../../fixtures/identities.ts";
import { meshOf, type Network } from "./network.ts";

const now = () => T0 + 100_000;
let story: Story;
let network: Network | undefined;

// The story's checkpoint, signed again naming epoch 1: the pointer a running node follows.
beforeAll(async () => {
  const written = await writeStory();
  const cp = written.entries.at(-1)!;
  const starting = await new EntryWriter(alice, written.pool, cp.entry.seq - 1).write("checkpoint", { ...cp.entry.body, epoch: 1 }, cp.entry.time);
  story = { ...written, entries: [...written.entries.slice(0, -1), starting] };
});
afterEach(async () => {
  await network?.close();
  network = undefined;
});

/** One node holding the story, compacted into epoch 1, then restarted on the same storage. */
async function compactedAndRestarted(): Promise<{ repo: Repo; full: string }> {
  network = meshOf(["alice"]);
  const { repo, storage } = network.peers[0]!;
  const ledger = await Ledger.open({ repo, storage, pool: story.pool, authoriser: new UcanAuthoriser(), now });
  await ledger.append(story.entries);
  const started = await startNextEpoch(ledger, story.entries.at(-1)!.id);
  expect(started).toEqual({ ok: true, epoch: 1 });
  const full = stateHash(ledger.state);
  await ledger.persisted();
  await repo.flush();
  const restarted = new Repo({ storage });
  return { repo: restarted, full };
}

describe("checkpoints and epochs", () => {
  it("starts a node from the latest epoch's checkpoint with the same state as the full history", async () => {
    const { repo, full } = await compactedAndRestarted();
    const { storage } = network!.peers[0]!;
    expect(await latestEpoch(storage, story.pool)).toBe(1);
    const opened = await openEpoch({ repo, storage, pool: story.pool, authoriser: new UcanAuthoriser(), now, epoch: 1 });
    if (!opened.ok) throw new Error(opened.message);
    expect(stateHash(opened.ledger.state)).toBe(full);
    const bobs = story.writers.bob;
    const submit = await new EntryWriter(bob, story.pool, bobs.seq, bobs.proof).write("job.submit", { task: "t", input: new Uint8Array(), replicas: 1, reward: 1, deadline: now() + 3_600_000 }, now());
    expect((await opened.ledger.append([submit])).ok).toBe(true);
    expect(opened.ledger.state.jobs[submit.id]?.submitter).toBe(bob.did);
    const report = await verifyPool({ repo, storage, pool: story.pool, authoriser: new UcanAuthoriser(), now });
    expect(report.problems).toEqual([]);
    expect(report.epochs).toBe(1);
    expect(stateHash(report.fold.state)).toBe(stateHash(opened.ledger.state));
    await repo.shutdown();
  });

  it("a full node and a node started from the checkpoint refuse the same late revocation and backdated join, and agree on the state", async () => {
    const { repo } = await compactedAndRestarted();
    const { storage } = network!.peers[0]!;
    const full = await Ledger.open({ repo, storage, pool: story.pool, authoriser: new UcanAuthoriser(), now });
    const opened = await openEpoch({ repo, storage, pool: story.pool, authoriser: new UcanAuthoriser(), now, epoch: 1 });
    if (!opened.ok) throw new Error(opened.message);
    const late = await finalityCases(story);
    for (const ledger of [full, opened.ledger]) {
      expect((await ledger.append([late.revokeBefore, late.join])).ok).toBe(true);
      await ledger.settled();
      const refused = Object.fromEntries(ledger.view().invalid.map((i) => [i.key, i.reason]));
      expect(refused).toEqual({ [late.revokeBefore.id]: "before-checkpoint", [late.join.id]: "before-checkpoint" });
    }
    expect(stateHash(full.state)).toBe(stateHash(opened.ledger.state));
    expect(full.state.checkpoint?.id).toBe(story.entries.at(-1)!.id);
    const report = await verifyPool({ repo, storage, pool: story.pool, authoriser: new UcanAuthoriser(), now });
    expect(report.problems).toEqual([]);
    await repo.shutdown();
  });

  it("refuses an epoch whose snapshot was altered, and verify reports it", async () => {
    const { repo } = await compactedAndRestarted();
    const { storage } = network!.peers[0]!;
    const handle = await repo.find<LedgerDoc>(ledgerDocumentUrl(story.pool, 1));
    handle.change((doc) => {
      const altered = doc.snapshot!.slice();
      altered[altered.length - 1] = altered[altered.length - 1]! ^ 1;
      doc.snapshot = altered;
    });
    const opened = await openEpoch({ repo, storage, pool: story.pool, authoriser: new UcanAuthoriser(), now, epoch: 1 });
    expect(opened.ok ? "opened" : opened.reason).toMatch(/^(checkpoint-mismatch|malformed)$/);
    const report = await verifyPool({ repo, storage, pool: story.pool, authoriser: new UcanAuthoriser(), now });
    expect(report.problems.length).toBe(1);
    await repo.shutdown();
  });

  it("finds the pool's latest epoch from its marks without reading any epoch's document", async () => {
    const { repo } = await compactedAndRestarted();
    await repo.shutdown();
    const { dir } = network!.peers[0]!;
    const read: StorageKey[] = [];
    const counting = new (class extends NodeFSStorageAdapter {
      override loadRange(prefix: StorageKey) {
        read.push(prefix);
        return super.loadRange(prefix);
      }
    })(dir);
    expect(await latestEpoch(counting, story.pool)).toBe(1);
    const documents = [0, 1].map((epoch) => ledgerDocumentId(story.pool, epoch) as string);
    expect(read.filter((prefix) => documents.includes(prefix[0]!))).toEqual([]);
  });

  it("finds epoch 0 of a store written before marks existed and marks it, but counts no later epoch's document without its own mark", async () => {
    const { repo } = await compactedAndRestarted();
    await repo.shutdown();
    const { dir } = network!.peers[0]!;
    rmSync(join(dir, "ed", "gepool-epochs"), { recursive: true });
    // Epoch 1's document is in storage, but so could be one any peer pushed (its id follows from the pool id).
    expect(await latestEpoch(new NodeFSStorageAdapter(dir), story.pool)).toBe(0);
    expect(await new NodeFSStorageAdapter(dir).load(["edgepool-epochs", story.pool, "1"])).toBeUndefined();
    expect(await holdsEpoch(new NodeFSStorageAdapter(dir), story.pool, 0)).toBe(true);
    expect(await new NodeFSStorageAdapter(dir).load(["edgepool-epochs", story.pool, "0"])).toBeDefined();
  });
});
