/**
 * A private pool compacts on its own (ledger/README.md 9, docs/privacy.md "Compaction"): the
 * root's node runs the checkpoint policy plain pools use (thresholds small here) and, once the
 * ledger epoch holds enough entries, compacts with a key rotation instead of naming the next epoch
 * document. Real repos, each connected to a real relay process: a member follows without a
 * restart, and a restarted member opens only the new key epoch's documents.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stateHash } from "../../../src/core/ledger/state.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { createNode, type EdgeNode } from "../../../src/core/node.ts";
import { PrivateLedger } from "../../../src/core/privacy/private-ledger.ts";
import { relayedOn } from "../ledger/network.ts";
import { until } from "../../fixtures/until.ts";
import { relayProcess, stopAll } from "../net/processes.ts";
import { kexOf, privatePoolOn, type Member } from "./private-pool.ts";

const WAIT = 60_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Small thresholds: a checkpoint every 4 entries, a new ledger epoch from 10. */
const POLICY = { everyEntries: 4, epochEntries: 10, settleMs: 300, minGapMs: 500 };

async function nodeOf(member: Member, checkpoints: typeof POLICY | false): Promise<EdgeNode> {
  const node = await createNode({ identity: member.who, ledger: member.node.ledger, privacy: member.node, proof: () => member.proof, checkpoints });
  cleanups.push(() => node.close());
  return node;
}

const submit = (who: Member, n: number) =>
  who.node.ledger.write(who.who, "job.submit", { task: "a".repeat(64), input: new Uint8Array([n]), replicas: 1, reward: 1, deadline: Date.now() + 600_000 }, who.proof ? [who.proof] : []);

describe("automatic compaction of a private pool", () => {
  it("the root's node compacts by itself once the epoch is big enough; a member follows and, restarted, opens the new epoch alone", { timeout: 120_000 }, async () => {
    const data = mkdtempSync(join(tmpdir(), "edgepool-relay-"));
    cleanups.push(async () => {
      await stopAll();
      rmSync(data, { recursive: true, force: true });
    });
    const relay = await relayProcess(data);
    const network = relayedOn(relay.url, ["alice", "bob", "carol"]);
    cleanups.push(() => network.close());
    const pool = await privatePoolOn(network, Date.now);
    const { alice, bob, carol } = pool;
    const open = new Set([alice.node, bob.node, carol.node]);
    cleanups.push(async () => {
      for (const node of open) await node.close();
    });
    await until(() => bob.node.ledger.state.privacy !== undefined, "bob reads the sealed genesis", WAIT);

    const root = await nodeOf(alice, POLICY);
    const member = await nodeOf(bob, false);
    // The pool's first entries are few: the root checkpoints (the pool is old) but stays in epoch 0.
    await until(() => root.checkpoints!.status().written >= 1, "the root's first checkpoint", WAIT);
    expect(root.checkpoints!.status().epoch).toEqual({ start: false, reason: "small" });
    expect(root.epochs.status()).toEqual({ epoch: 0, pending: undefined, lastRefusal: undefined });

    for (let n = 0; n < 6; n++) expect((await submit(bob, n)).ok).toBe(true);
    await bob.node.flush();
    await until(() => alice.node.view().ledgerEpoch === 1, "the root's node to compact on its own", WAIT);
    expect(root.checkpoints!.status()).toMatchObject({ lastRefusal: undefined, epoch: { start: true, epoch: 1, reason: "entries" } });
    expect(root.epochs.status()).toEqual({ epoch: 1, pending: undefined, lastRefusal: undefined });
    expect(alice.node.view()).toMatchObject({ epoch: 1, sealingEpoch: 1 });

    await until(() => member.epochs.status().epoch === 1, "bob's node to follow to ledger epoch 1", WAIT);
    expect(member.epochs.status()).toEqual({ epoch: 1, pending: undefined, lastRefusal: undefined });
    await until(() => bob.node.view().queued === 0 && stateHash(bob.node.ledger.state) === stateHash(alice.node.ledger.state), "one state on both nodes", WAIT);
    await bob.node.settled();

    // Bob restarts from his storage and the relay: key epoch 0's document is never opened.
    await member.close();
    await bob.node.close();
    open.delete(bob.node);
    const again = await PrivateLedger.open({
      repo: bob.peer.repo,
      storage: bob.peer.storage,
      pool: pool.pool,
      authoriser: new UcanAuthoriser(),
      now: Date.now,
      me: { did: bob.who.did, kex: kexOf(bob.who) },
      author: { author: bob.who, ...(bob.proof ? { proof: bob.proof } : {}) },
      flushMs: 50,
    });
    open.add(again);
    const key0 = alice.node.keyring.all().find((k) => k.epoch === 0)!;
    expect(again.view()).toMatchObject({ ledgerEpoch: 1, sealingEpoch: 1 });
    expect(again.documents().some((h) => h.documentId === key0.documentId)).toBe(false);
    await until(() => stateHash(again.ledger.state) === stateHash(alice.node.ledger.state), "the restarted node to hold the pool's state", WAIT);
  });
});
