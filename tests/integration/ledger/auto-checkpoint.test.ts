/**
 * Automatic checkpoints across real repos (ledger/README.md 8.6, "Who writes checkpoints"): the
 * root's node writes them on its own, soon after an invite's deadline and after new entries; a
 * delegate writing them too does no harm; a backdated join after the invite closed is refused on
 * both nodes; an automatic checkpoint starts a new epoch when the policy says so, and a node
 * restarted there starts from it.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Repo } from "@automerge/automerge-repo";
import { parseInviteLink, redeemInvite } from "../../../src/core/capability/invite.ts";
import type { CheckpointPolicy } from "../../../src/core/ledger/checkpoint-policy.ts";
import type { EpochPolicy } from "../../../src/core/ledger/epoch-policy.ts";
import { flushReady, shutdownRepo } from "../../../src/core/ledger/closing-storage.ts";
import { latestEpoch, openEpoch } from "../../../src/core/ledger/epochs.ts";
import { Ledger } from "../../../src/core/ledger/ledger.ts";
import { createPoolInvite } from "../../../src/core/ledger/membership.ts";
import type { PoolWithMembers } from "../../../src/core/ledger/pool-members.ts";
import { stateHash } from "../../../src/core/ledger/state.ts";
import type { EntryId } from "../../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { EntryWriter } from "../../../src/core/ledger/writer.ts";
import { createNode, type EdgeNode } from "../../../src/core/node.ts";
import { alice, bob, mallory } from "../../fixtures/identities.ts";
import { recentPool } from "../../fixtures/recent-pool.ts";
import { meshOf, type Network } from "./network.ts";
import { until } from "../../fixtures/until.ts";

const HOUR = 3_600_000;
const WAIT = 60_000;
let network: Network | undefined;
const nodes: EdgeNode[] = [];

afterEach(async () => {
  for (const node of nodes.splice(0)) await node.close();
  await network?.close();
  network = undefined;
});

/** Alice's and bob's ledgers on the real clock, both holding the pool. */
async function twoLedgers(created: PoolWithMembers): Promise<[Ledger, Ledger]> {
  network = meshOf(["alice", "bob"]);
  const ledgers = await Promise.all(
    network.peers.map((p) => Ledger.open({ repo: p.repo, storage: p.storage, pool: created.pool, authoriser: new UcanAuthoriser(), now: Date.now })),
  );
  await ledgers[0]!.append(created.entries);
  await until(() => ledgers[1]!.state.count === created.entries.length, "bob's node to receive the pool");
  return ledgers as [Ledger, Ledger];
}

async function nodeOf(identity: typeof alice, ledger: Ledger, policy: Partial<CheckpointPolicy & EpochPolicy> | false, proof?: string): Promise<EdgeNode> {
  const node = await createNode({ identity, ledger, proof: () => proof, checkpoints: policy });
  nodes.push(node);
  return node;
}

const refusal = (ledger: Ledger, id: string) => ledger.view().invalid.find((i) => i.key === id)?.reason;

describe("automatic checkpoints", () => {
  it("the root's node closes an expired invite within its settling time: a join dated back before the deadline is refused on both nodes", async () => {
    const created = await recentPool();
    const [aliceLedger, bobLedger] = await twoLedgers(created);
    const joinBefore = Math.floor(Date.now() / 1000) + 2;
    const terms = { abilities: ["job/run" as const], uses: 5, joinBefore, memberExpiration: joinBefore + 86_400, appUrl: "https://app.example/", relay: undefined };
    const invited = await createPoolInvite(aliceLedger, alice, terms, Date.now());
    if (!invited.ok) throw new Error(invited.message);
    // An hour between periodic checkpoints: only the deadline can make one due within the test.
    const settleMs = 500;
    // Its checkpoint also starts epoch 1 (the pool holds more than one entry).
    const node = await nodeOf(alice, aliceLedger, { everyMs: HOUR, everyEntries: 1_000_000, settleMs, minGapMs: 100, epochEntries: 1 });
    await until(() => (aliceLedger.state.checkpoint?.through ?? 0) >= joinBefore * 1000, "alice's node to checkpoint past the invite's deadline", WAIT);
    const checkpoint = aliceLedger.entry(aliceLedger.state.checkpoint!.id as EntryId)!;
    expect(checkpoint.entry.author).toBe(alice.did);
    // Written once the deadline had settled, long before the hourly one would be.
    expect(checkpoint.entry.time).toBeGreaterThanOrEqual(joinBefore * 1000 + settleMs);
    expect(checkpoint.entry.time).toBeLessThan(joinBefore * 1000 + WAIT);
    expect(node.checkpoints?.status().written).toBe(1);
    await until(() => bobLedger.state.checkpoint?.id === checkpoint.id, "bob's node to accept the checkpoint");

    // Mallory got the link late and claims to have joined just before its deadline.
    const link = parseInviteLink(invited.link);
    if (!link.ok) throw new Error(link.message);
    const redeemed = await redeemInvite(link.invite, mallory.did, joinBefore - 1);
    if (!redeemed.ok) throw new Error(redeemed.message);
    const join = await new EntryWriter(mallory, created.pool, 0, [redeemed.redemption.proof]).write("member.join", { member: mallory.did, abilities: ["job/run"], invite: redeemed.redemption.invite }, (joinBefore - 1) * 1000);
    expect((await bobLedger.append([join])).ok).toBe(true);
    await until(() => refusal(aliceLedger, join.id) !== undefined, "alice's node to judge mallory's join");
    for (const ledger of [aliceLedger, bobLedger]) {
      expect(refusal(ledger, join.id)).toBe("before-checkpoint");
      expect(ledger.state.members[mallory.did]).toBeUndefined();
    }
    expect(stateHash(aliceLedger.state)).toBe(stateHash(bobLedger.state));

    // The node moved to the epoch its checkpoint started; a restart starts from it, with the same state.
    expect(checkpoint.entry.body.epoch).toBe(1);
    expect(node.checkpoints?.status().epoch).toEqual({ start: true, epoch: 1, reason: "entries" });
    await until(() => aliceLedger.epoch === 1, "alice's node to move to epoch 1");
    await node.close();
    await aliceLedger.persisted();
    const { storage, repo } = network!.peers[0]!;
    await flushReady(repo);
    const restarted = new Repo({ storage });
    try {
      expect(await latestEpoch(storage, created.pool)).toBe(1);
      const opened = await openEpoch({ repo: restarted, storage, pool: created.pool, authoriser: new UcanAuthoriser(), now: Date.now, epoch: 1 });
      if (!opened.ok) throw new Error(opened.message);
      expect(opened.ledger.options.base).toBeDefined();
      expect(opened.ledger.state.checkpoint?.id).toBe(checkpoint.id);
      expect(stateHash(opened.ledger.state)).toBe(stateHash(aliceLedger.state));
      opened.ledger.close();
    } finally {
      await shutdownRepo(restarted);
    }
  });

  it("the root and a delegate both checkpoint new entries on their own; their overlapping checkpoints leave both nodes with one state", async () => {
    const created = await recentPool();
    const [aliceLedger, bobLedger] = await twoLedgers(created);
    const policy = { everyMs: 1_000, everyEntries: 1_000_000, settleMs: 1_000, minGapMs: 200 };
    await nodeOf(alice, aliceLedger, policy);
    const bobNode = await nodeOf(bob, bobLedger, policy, created.proofs.get(bob.did));
    const submitted = await bobNode.jobs.submit({ module: new Uint8Array([0, 97, 115, 109]), input: new Uint8Array([1]), replicas: 1, reward: 1, deadline: Date.now() + HOUR });
    if (!submitted.ok) throw new Error(submitted.message);
    const covers = (ledger: Ledger) => {
      const job = bobNode.jobs.current(submitted.job);
      const time = ledger.entry(job)?.entry.time;
      return time !== undefined && ledger.state.jobs[job] !== undefined && (ledger.state.checkpoint?.through ?? 0) >= time;
    };
    await until(() => covers(aliceLedger) && covers(bobLedger) && aliceLedger.state.checkpoint?.id === bobLedger.state.checkpoint?.id, "a checkpoint covering bob's job on both nodes", WAIT);
    await aliceLedger.settled();
    await bobLedger.settled();
    const checkpoints = aliceLedger.entries().filter((s) => s.entry.kind === "checkpoint");
    // Both wrote: alice as the root, bob as the delegate holding ledger/checkpoint.
    await until(() => new Set(aliceLedger.entries().filter((s) => s.entry.kind === "checkpoint").map((s) => s.entry.author)).size === 2, "both nodes to have written a checkpoint", WAIT);
    expect(checkpoints.length).toBeGreaterThan(0);
    // A checkpoint drafted over a window another one closed first is refused, and changes nothing.
    for (const { key, reason } of aliceLedger.view().invalid) {
      if (aliceLedger.entry(key as EntryId)?.entry.kind === "checkpoint") expect(["conflict", "checkpoint-mismatch"]).toContain(reason);
    }
    await until(() => stateHash(aliceLedger.state) === stateHash(bobLedger.state), "both nodes to hold the same state");
    expect(bobNode.jobs.status(submitted.job)?.status).toBe("queued");
  });
});
