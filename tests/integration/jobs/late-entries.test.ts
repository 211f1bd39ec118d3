/**
 * An honest member's work written offline survives a checkpoint written meanwhile (ledger/README.md
 * 8.6): its submit and revocation, dated into the window that became final, are refused
 * `before-checkpoint` on every node, and its node writes them again with a current time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { tokenHash } from "../../../src/core/capability/chain.ts";
import { writeCheckpoint } from "../../../src/core/ledger/checkpoint-writer.ts";
import { Ledger } from "../../../src/core/ledger/ledger.ts";
import { revocationTarget, revokeDelegation } from "../../../src/core/ledger/membership.ts";
import { stateHash } from "../../../src/core/ledger/state.ts";
import type { SignedEntry } from "../../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { createNode, type EdgeNode } from "../../../src/core/node.ts";
import { alice, bob, dave } from "../../fixtures/identities.ts";
import { recentPool } from "../../fixtures/recent-pool.ts";
import { link, meshOf, type Network } from "../ledger/network.ts";
import { until } from "../../fixtures/until.ts";

const networks: Network[] = [];
let node: EdgeNode | undefined;

afterEach(async () => {
  await node?.close();
  node = undefined;
  for (const network of networks.splice(0)) await network.close();
});

const refusal = (ledger: Ledger, id: string) => ledger.view().invalid.find((i) => i.key === id)?.reason;

describe("own entries made late by a checkpoint", () => {
  it("are written again by their node: an offline submit and revocation count after the root's checkpoint, on both nodes", async () => {
    const created = await recentPool();
    // Alice and bob each hold the pool, but are not connected: bob works offline.
    const [aliceNet, bobNet] = [meshOf(["alice"]), meshOf(["bob"])];
    networks.push(aliceNet, bobNet);
    const open = (network: Network) =>
      Ledger.open({ repo: network.peers[0]!.repo, storage: network.peers[0]!.storage, pool: created.pool, authoriser: new UcanAuthoriser(), now: Date.now });
    const [aliceLedger, bobLedger] = [await open(aliceNet), await open(bobNet)];
    for (const ledger of [aliceLedger, bobLedger]) expect((await ledger.append(created.entries)).ok).toBe(true);
    const proof = created.proofs.get(bob.did);
    node = await createNode({ identity: bob, ledger: bobLedger, proof: () => proof, checkpoints: false });

    const submitted = await node.jobs.submit({ module: new Uint8Array([0, 97, 115, 109]), input: new Uint8Array([7]), replicas: 1, reward: 1, deadline: Date.now() + 3_600_000 });
    if (!submitted.ok) throw new Error(submitted.message);
    const target = revocationTarget(bobLedger, dave.did);
    if (!target.ok || !("token" in target)) throw new Error("dave joined through bob's invite: his target is a delegation");
    const revoked = await revokeDelegation(bobLedger, bob, target.token, Date.now());
    if (!revoked.ok) throw new Error(revoked.message);
    const offline = bobLedger.entries().filter((s) => s.entry.author === bob.did && s.entry.seq > 1);
    expect(offline.map((s) => s.entry.kind)).toEqual(["job.submit", "ucan.revoke"]);

    // Meanwhile alice checkpoints everything she has: bob's offline entries fall in its window.
    const latest = Math.max(...offline.map((s) => s.entry.time));
    await until(() => Date.now() > latest + 1, "the clock to pass bob's entries");
    const checkpoint = await writeCheckpoint(aliceLedger, alice, Date.now(), [], 1);
    if (!checkpoint.ok) throw new Error(checkpoint.message);

    link(aliceNet.peers[0]!.repo, bobNet.peers[0]!.repo);
    const renewedJob = () => node!.jobs.current(submitted.job);
    const settledOn = (ledger: Ledger) =>
      ledger.state.checkpoint?.id === checkpoint.id && renewedJob() !== submitted.job && ledger.state.jobs[renewedJob()] !== undefined && ledger.state.members[dave.did]?.revoked !== undefined;
    await until(() => settledOn(aliceLedger) && settledOn(bobLedger), "bob's node to write his late entries again and both nodes to fold them", 60_000);

    for (const ledger of [aliceLedger, bobLedger]) {
      for (const late of offline) expect(refusal(ledger, late.id)).toBe("before-checkpoint");
      const job = ledger.state.jobs[renewedJob()]!;
      expect(job.submitter).toBe(bob.did);
      expect(ledger.entry(renewedJob())!.entry.body).toEqual((offline[0] as SignedEntry).entry.body);
      expect(ledger.entry(renewedJob())!.entry.time).toBeGreaterThan(checkpoint.through);
      // The revocation now reaches back only to after the checkpoint; its cut is the one bob chose.
      const revocation = ledger.state.revocations[tokenHash(target.token)]!;
      expect(revocation.honoured).toEqual(revoked.honoured);
      expect(ledger.entry(revocation.entry)!.entry.body.from).toBe(checkpoint.through + 1);
    }
    expect(node.jobs.status(submitted.job)?.id).toBe(renewedJob());
    await until(() => stateHash(aliceLedger.state) === stateHash(bobLedger.state), "both nodes to hold the same state");
    // Written once: a look after everything settled finds nothing left to renew.
    expect(bobLedger.entries().filter((s) => s.entry.author === bob.did && s.entry.kind === "job.submit")).toHaveLength(2);
  });
});
