/**
 * Running nodes follow their pool to a new epoch document (ledger/README.md 9), over real repos
 * wired by MessageChannel: the root compacts; a node that was offline during the switch and wrote
 * meanwhile into the old epoch catches up, and what it wrote is kept; a node restarted afterwards
 * starts from the new epoch's checkpoint; `verifyPool` proves the whole history; and a "next
 * epoch" pointer from a member who may not checkpoint moves nobody.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Repo } from "@automerge/automerge-repo";
import { writeCheckpoint } from "../../../src/core/ledger/checkpoint-writer.ts";
import { flushReady, shutdownRepo } from "../../../src/core/ledger/closing-storage.ts";
import { genesisDocument, ledgerDocumentId, putEntries, type LedgerDoc } from "../../../src/core/ledger/document.ts";
import { draftCheckpoint } from "../../../src/core/ledger/checkpoints.ts";
import { latestEpoch, openEpoch, startIn, verifyPool } from "../../../src/core/ledger/epochs.ts";
import { Ledger } from "../../../src/core/ledger/ledger.ts";
import type { PoolWithMembers } from "../../../src/core/ledger/pool-members.ts";
import { stateHash } from "../../../src/core/ledger/state.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { EntryWriter } from "../../../src/core/ledger/writer.ts";
import { createNode, type EdgeNode } from "../../../src/core/node.ts";
import { alice, bob, dave } from "../../fixtures/identities.ts";
import { recentPool } from "../../fixtures/recent-pool.ts";
import { link, meshOf, type Network } from "./network.ts";
import { until } from "../../fixtures/until.ts";

const HOUR = 3_600_000;
const WAIT = 30_000;
const networks: Network[] = [];
const nodes: EdgeNode[] = [];

afterEach(async () => {
  for (const node of nodes.splice(0)) await node.close();
  for (const network of networks.splice(0)) await network.close();
});

const open = (peer: Network["peers"][number], created: PoolWithMembers) =>
  Ledger.open({ repo: peer.repo, storage: peer.storage, pool: created.pool, authoriser: new UcanAuthoriser(), now: Date.now });

/** A running node (no checkpoints of its own): what follows epochs is createNode's. */
async function nodeOf(identity: typeof alice, ledger: Ledger, created: PoolWithMembers): Promise<EdgeNode> {
  const node = await createNode({ identity, ledger, proof: () => created.proofs.get(identity.did), checkpoints: false });
  nodes.push(node);
  return node;
}

/** Alice (root) and dave online together, bob on his own network: all three hold the pool. */
async function pool(): Promise<{ created: PoolWithMembers; online: Network; offline: Network; ledgers: { alice: Ledger; dave: Ledger; bob: Ledger } }> {
  const created = await recentPool();
  const online = meshOf(["alice", "dave"]);
  const offline = meshOf(["bob"]);
  networks.push(online, offline);
  const [a, d, b] = await Promise.all([open(online.peers[0]!, created), open(online.peers[1]!, created), open(offline.peers[0]!, created)]);
  await a!.append(created.entries);
  await b!.append(created.entries);
  await until(() => d!.state.count === created.entries.length, "dave's node to receive the pool");
  return { created, online, offline, ledgers: { alice: a!, dave: d!, bob: b! } };
}

describe("epoch migration", () => {
  it("moves running nodes to the new epoch; a node offline during the switch catches up and what it wrote meanwhile is kept", { timeout: 120_000 }, async () => {
    const { created, online, offline, ledgers } = await pool();
    const nodeA = await nodeOf(alice, ledgers.alice, created);
    const nodeD = await nodeOf(dave, ledgers.dave, created);
    const nodeB = await nodeOf(bob, ledgers.bob, created);

    const written = await writeCheckpoint(ledgers.alice, alice, Date.now(), [], 500, 1);
    if (!written.ok) throw new Error(written.message);
    await until(() => ledgers.alice.epoch === 1 && ledgers.dave.epoch === 1, "alice's and dave's nodes to move to epoch 1", WAIT);
    expect(ledgers.alice.state.checkpoint).toMatchObject({ id: written.id, epoch: 1 });
    expect(nodeA.epochs?.status()).toEqual({ epoch: 1, pending: undefined, lastRefusal: undefined });

    // Bob, offline, still writes into epoch 0.
    const offlineJob = await nodeB.jobs.submit({ module: new Uint8Array([0, 97, 115, 109]), input: new Uint8Array([1]), replicas: 1, reward: 1, deadline: Date.now() + HOUR });
    if (!offlineJob.ok) throw new Error(offlineJob.message);
    expect(ledgers.bob.epoch).toBe(0);

    // Bob comes back: he learns the pointer from epoch 0, follows, and his job reaches everyone.
    link(offline.peers[0]!.repo, online.peers[0]!.repo);
    await until(() => ledgers.bob.epoch === 1, "bob's node to move to epoch 1", WAIT);
    const job = nodeB.jobs.current(offlineJob.job);
    await until(() => [ledgers.alice, ledgers.dave].every((l) => l.state.jobs[job] !== undefined), "bob's offline job on alice's and dave's nodes", WAIT);
    const epoch1 = (l: Ledger) => l.handle.doc().entries[job.slice(8, 10)]?.[job] !== undefined;
    await until(() => epoch1(ledgers.alice) && epoch1(ledgers.dave), "bob's job in the epoch-1 document", WAIT);
    await until(() => stateHash(ledgers.alice.state) === stateHash(ledgers.bob.state) && stateHash(ledgers.dave.state) === stateHash(ledgers.bob.state), "one state on every node");

    // Dave restarts: from epoch 1's checkpoint, with the same state; the full history proves it.
    await nodeD.close();
    await ledgers.dave.persisted();
    const { repo, storage } = online.peers[1]!;
    await flushReady(repo);
    const restarted = new Repo({ storage });
    try {
      expect(await latestEpoch(storage, created.pool)).toBe(1);
      const reopened = await openEpoch({ repo: restarted, storage, pool: created.pool, authoriser: new UcanAuthoriser(), now: Date.now, epoch: 1 });
      if (!reopened.ok) throw new Error(reopened.message);
      expect(reopened.ledger.state.checkpoint?.id).toBe(written.id);
      expect(reopened.ledger.state.jobs[job]).toBeDefined();
      expect(stateHash(reopened.ledger.state)).toBe(stateHash(ledgers.alice.state));
      reopened.ledger.close();
      const report = await verifyPool({ repo: restarted, storage, pool: created.pool, authoriser: new UcanAuthoriser(), now: Date.now });
      expect(report.problems).toEqual([]);
      expect(report.epochs).toBe(1);
      expect(stateHash(report.fold.state)).toBe(stateHash(ledgers.alice.state));
    } finally {
      await shutdownRepo(restarted);
    }
  });

  it("a next-epoch pointer from a member who may not checkpoint, and a forged start in the new document, move nobody and hide nothing", { timeout: 120_000 }, async () => {
    const { created, online, ledgers } = await pool();
    const nodeA = await nodeOf(alice, ledgers.alice, created);
    await nodeOf(dave, ledgers.dave, created);
    await nodeOf(bob, ledgers.bob, created);

    // Dave holds job/run only: his checkpoint names epoch 1, and he builds an epoch-1 document from it.
    const through = Date.now() - 500;
    const { body, snapshot } = draftCheckpoint(ledgers.dave.entries(), through, new UcanAuthoriser());
    const daveSeq = ledgers.dave.state.authors[dave.did]?.seq ?? 0;
    const forged = await new EntryWriter(dave, created.pool, daveSeq, [created.proofs.get(dave.did)!]).write("checkpoint", { ...body, epoch: 1 }, Date.now());
    putEntries(ledgers.dave.handle, [forged]);
    const fake = online.peers[1]!.repo.import<LedgerDoc>(genesisDocument(), { docId: ledgerDocumentId(created.pool, 1) });
    fake.change((doc) => {
      doc.checkpoint = forged.bytes;
      doc.snapshot = snapshot;
    });
    const refused = (ledger: Ledger) => ledger.view().invalid.find((i) => i.key === forged.id)?.reason;
    await until(() => refused(ledgers.alice) !== undefined && refused(ledgers.dave) !== undefined, "alice's and dave's nodes to judge dave's checkpoint", WAIT);
    expect(refused(ledgers.alice)).toBe("not-authorised");
    for (const ledger of Object.values(ledgers)) expect(ledger.epoch).toBe(0);
    expect(nodeA.epochs?.status().pending).toBeUndefined();
    expect(await latestEpoch(online.peers[0]!.storage, created.pool)).toBe(0);

    // Alice's real pointer moves everyone online, beside the forged start in the same document.
    const written = await writeCheckpoint(ledgers.alice, alice, Date.now(), [], 500, 1);
    if (!written.ok) throw new Error(written.message);
    await until(() => ledgers.alice.epoch === 1 && ledgers.dave.epoch === 1, "alice's and dave's nodes to move to epoch 1", WAIT);
    const honest = ledgers.alice.entry(written.id)!;
    await until(() => startIn(ledgers.alice.handle.doc(), honest) !== undefined, "the honest start in alice's epoch-1 document");
    await ledgers.alice.persisted();
    const { repo, storage } = online.peers[0]!;
    await flushReady(repo);
    const restarted = new Repo({ storage });
    try {
      const reopened = await openEpoch({ repo: restarted, storage, pool: created.pool, authoriser: new UcanAuthoriser(), now: Date.now, epoch: 1 });
      if (!reopened.ok) throw new Error(reopened.message);
      expect(reopened.ledger.state.checkpoint?.id).toBe(written.id);
      expect(stateHash(reopened.ledger.state)).toBe(stateHash(ledgers.alice.state));
      reopened.ledger.close();
    } finally {
      await shutdownRepo(restarted);
    }
  });
});
