import { afterEach, describe, expect, it } from "vitest";
import { startRelay, type RunningRelay } from "../../../src/core/net/relay-node.ts";
import { setPoolNetwork } from "../../../src/core/ledger/membership.ts";
import { alice, bob, carol, mallory } from "../../fixtures/identities.ts";
import { directNode, type DirectNode } from "./direct-nodes.ts";
import { Peers } from "./peers.ts";
import { until } from "../../fixtures/until.ts";

const peers = new Peers();
const nodes: DirectNode[] = [];
const relays: RunningRelay[] = [];

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  await Promise.all(relays.splice(0).map((r) => r.close()));
  // automerge-repo saves sync state through a 100 ms throttle that shutdown does not flush.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await peers.cleanup();
});

async function relay(): Promise<RunningRelay> {
  const running = await startRelay({ host: "127.0.0.1", port: 0, storageDirectory: await peers.dir() });
  relays.push(running);
  return running;
}

async function node(...args: Parameters<typeof directNode> extends [unknown, ...infer R] ? R : never): Promise<DirectNode> {
  const started = await directNode(peers, ...args);
  nodes.push(started);
  return started;
}

const pathTo = (from: DirectNode, to: DirectNode) => from.direct?.peers().find((p) => p.peer === to.repo.peerId)?.path;
const holds = (n: DirectNode, ids: readonly string[]) => ids.every((id) => n.ledger.entries().some((e) => e.id === id));

describe("direct peers", () => {
  it("two Node members connect directly and keep syncing after the relay is gone", async () => {
    const r = await relay();
    const b = await node(bob, r.url);
    const c = await node(carol, r.url);
    await until(() => pathTo(b, c) === "direct" && pathTo(c, b) === "direct", "a direct connection both ways");
    const first = await b.write(3);
    await until(() => holds(c, first), "bob's entries at carol");
    await relays.pop()!.close();
    const second = await c.write(2);
    await until(() => holds(b, second), "carol's entries at bob without the relay");
    const seen = b.direct!.peers().find((p) => p.did === carol.did)!;
    expect(seen.rttMs).toBeGreaterThanOrEqual(0);
    expect(seen.bytesReceived).toBeGreaterThan(0);
  });

  it("ignores the signals of a non-member: no direct connection to mallory", async () => {
    const r = await relay();
    const b = await node(bob, r.url);
    const m = await node(mallory, r.url);
    const c = await node(carol, r.url);
    await until(() => pathTo(b, c) === "direct", "bob and carol connected");
    await until(() => (b.direct!.refusals()["not-a-member"] ?? 0) >= 2, "mallory's hellos refused");
    expect(pathTo(b, m)).toBeUndefined();
    expect(b.direct!.mesh.has(m.repo.peerId)).toBe(false);
    // Mallory hears the members' hellos, but none of them answers her.
    expect(m.direct!.peers().filter((p) => p.path === "direct")).toEqual([]);
  });

  it("ends direct connections when the pool turns relay-only, makes none after, and keeps syncing through the relay", async () => {
    const r = await relay();
    const b = await node(bob, r.url);
    const c = await node(carol, r.url);
    await until(() => pathTo(b, c) === "direct" && pathTo(c, b) === "direct", "a direct connection both ways");
    // The pool's root writes the setting (here through bob's node); it reaches carol's through the relay.
    expect(await setPoolNetwork(b.ledger, alice, { ice: [], relayOnly: true }, Date.now())).toEqual({ ok: true });
    await until(() => c.ledger.state.pool?.network?.relayOnly === true, "the setting at carol");
    await until(() => b.direct!.mesh.stats().length === 0 && c.direct!.mesh.stats().length === 0, "both sides closing the connection");
    const ids = await b.write(2);
    await until(() => holds(c, ids), "bob's entries at carol through the relay");
    // Hellos stop, so neither dials again; after three hello periods neither lists the other.
    await until(() => pathTo(b, c) === undefined && pathTo(c, b) === undefined, "each forgetting the other");
    expect(b.direct!.mesh.stats()).toEqual([]);
    expect(c.direct!.mesh.stats()).toEqual([]);
  });

  it("without a direct path, members still sync through the relay", async () => {
    const r = await relay();
    const b = await node(bob, r.url);
    const c = await node(carol, r.url, { relayOnly: true });
    const ids = await b.write(2);
    await until(() => holds(c, ids), "bob's entries at carol through the relay");
    const back = await c.write(1);
    await until(() => holds(b, back), "carol's entry at bob through the relay");
    expect(b.direct!.mesh.stats()).toEqual([]);
  });
});
