import { afterEach, describe, expect, it } from "vitest";
import { latestKeyHolding } from "../../../src/core/privacy/key-holders.ts";
import { rotateKey } from "../../../src/core/privacy/rotation.ts";
import { until } from "../../fixtures/until.ts";
import { privatePool, T0, type Member, type PrivatePool } from "./private-pool.ts";

let pool: PrivatePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

const submit = async (who: Member, time: number) => {
  const written = await who.node.ledger.write(who.who, "job.submit", { task: "a".repeat(64), input: new Uint8Array([1]), replicas: 1, reward: 1, deadline: time + 600_000 }, who.proof ? [who.proof] : []);
  if (!written.ok) throw new Error(written.message);
  await who.node.flush();
  return written.ids[0]!;
};

describe("members not yet seen with the latest key", () => {
  it("lists current members until an entry of theirs sealed under the latest key arrives, and never a removed one", async () => {
    pool = await privatePool();
    const { alice, bob, carol } = pool;
    await until(() => bob.node.ledger.state.privacy !== undefined && carol.node.ledger.state.privacy !== undefined, "members read the sealed genesis");
    // Epoch 0 sealed everyone's first entries (alice made the pool with their joins).
    expect(latestKeyHolding(alice.node)).toEqual({ epoch: 0, notYetSeen: [] });

    const rotated = await rotateKey({ node: alice.node, author: alice.who, time: T0 + 20_000 });
    expect(rotated.ok).toBe(true);
    // alice made the key; bob and carol have written nothing under it.
    expect(latestKeyHolding(alice.node)).toEqual({ epoch: 1, notYetSeen: [bob.who.did, carol.who.did].sort() });

    await until(() => bob.node.view().sealingEpoch === 1, "bob opens his lockbox for epoch 1");
    // bob's own device knows it holds the key.
    expect(latestKeyHolding(bob.node).notYetSeen).toEqual([carol.who.did]);
    const job = await submit(bob, T0 + 30_000);
    await until(() => alice.node.ledger.entry(job) !== undefined, "alice reads bob's job");
    expect(latestKeyHolding(alice.node).notYetSeen).toEqual([carol.who.did]);

    const revocation = await pool.revocation(carol.who, T0 + 40_000);
    const removed = await rotateKey({ node: alice.node, author: alice.who, time: T0 + 40_000, revocations: [revocation], removed: [carol.who.did] });
    expect(removed.ok).toBe(true);
    // bob is listed again for epoch 2; carol, removed, is not.
    expect(latestKeyHolding(alice.node)).toEqual({ epoch: 2, notYetSeen: [bob.who.did] });
    await until(() => carol.node.view().pendingRotation, "carol learns of the rotation");
    expect(latestKeyHolding(carol.node).epoch).toBe(2);
  }, 60_000);
});
