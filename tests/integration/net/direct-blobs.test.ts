import { afterEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { cbor } from "@automerge/automerge-repo";
import { BlobStore, blobHash } from "../../../src/core/jobs/blobs.ts";
import { startRelay, type RunningRelay } from "../../../src/core/net/relay-node.ts";
import { bob, carol, dave } from "../../fixtures/identities.ts";
import { countingProxy, type CountingProxy } from "./counting-proxy.ts";
import { directNode, type DirectNode } from "./direct-nodes.ts";
import { Peers } from "./peers.ts";
import { until } from "../../fixtures/until.ts";

const peers = new Peers();
const nodes: DirectNode[] = [];
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  await Promise.all(closers.splice(0).map((close) => close()));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await peers.cleanup();
});

async function relayBehindProxy(): Promise<CountingProxy> {
  const relay: RunningRelay = await startRelay({ host: "127.0.0.1", port: 0, storageDirectory: await peers.dir() });
  const proxy = await countingProxy(relay.url);
  closers.push(() => proxy.close().then(() => relay.close()));
  return proxy;
}

async function node(...args: Parameters<typeof directNode> extends [unknown, ...infer R] ? R : never): Promise<DirectNode> {
  const started = await directNode(peers, ...args);
  nodes.push(started);
  return started;
}

const blobsOf = (n: DirectNode) => new BlobStore(n.repo, n.direct!.blobs);
const directTo = (from: DirectNode, to: DirectNode) => from.direct!.peers().some((p) => p.peer === to.repo.peerId && p.path === "direct");

describe("blobs between direct peers", () => {
  it("moves a 20 MB blob over the data channel while the relay carries under 1% of it", async () => {
    const relay = await relayBehindProxy();
    const b = await node(bob, relay.url);
    const c = await node(carol, relay.url);
    await until(() => directTo(b, c) && directTo(c, b), "a direct connection");
    const [atBob, atCarol] = [blobsOf(b), blobsOf(c)];
    const bytes = new Uint8Array(randomBytes(20 * 1024 * 1024));
    const before = relay.bytes();
    const hash = await atBob.put(bytes);
    const got = await atCarol.get(hash, { timeoutMs: 60_000 });
    const relayed = relay.bytes() - before;
    expect(got.ok && blobHash(got.bytes) === hash).toBe(true);
    // The proxy does count: hellos keep crossing it.
    expect(relayed).toBeGreaterThan(0);
    expect(relayed).toBeLessThan(bytes.byteLength / 100);
  }, 90_000);

  it("resumes a transfer where it broke when the direct connection comes back", async () => {
    const relay = await relayBehindProxy();
    const b = await node(bob, relay.url);
    const c = await node(carol, relay.url);
    await until(() => directTo(b, c) && directTo(c, b), "a direct connection");
    // The offsets carol asks bob for, read off the requests arriving on bob's blob channels.
    const offsets: number[] = [];
    b.direct!.mesh.onChannel(({ channel }) => channel.addEventListener("message", (e) => offsets.push((cbor.decode(new Uint8Array(e.data as ArrayBuffer).subarray(1)) as { offset: number }).offset)));
    const bytes = new Uint8Array(randomBytes(20 * 1024 * 1024));
    const hash = await blobsOf(b).put(bytes);
    const got = blobsOf(c).get(hash, { timeoutMs: 60_000 });
    const received = () => c.direct!.mesh.stats().find((s) => s.peer === b.repo.peerId)?.bytesReceived ?? 0;
    await until(() => received() > 4 * 1024 * 1024, "a few MiB at carol", 30_000);
    c.direct!.mesh.peer(b.repo.peerId)!.close("the test breaks the connection");
    const result = await got;
    expect(result.ok && blobHash(result.bytes) === hash).toBe(true);
    expect(offsets.length).toBeGreaterThanOrEqual(2);
    expect(offsets[0]).toBe(0);
    expect(offsets.at(-1)).toBeGreaterThan(0);
  }, 90_000);

  it("falls back to the relay for a member without a direct path (it asks with a signed want)", async () => {
    const relay = await relayBehindProxy();
    const b = await node(bob, relay.url);
    const c = await node(carol, relay.url);
    const d = await node(dave, relay.url, { relayOnly: true });
    await until(() => directTo(b, c), "bob and carol connected directly");
    const bytes = new Uint8Array(randomBytes(64 * 1024));
    const hash = await blobsOf(b).put(bytes);
    const started = Date.now();
    const got = await blobsOf(d).get(hash, { timeoutMs: 30_000 });
    expect(got.ok && blobHash(got.bytes) === hash).toBe(true);
    // Dave tried direct peers (he has none) for the ~5 s of the rule, then the relay.
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 40_000);
});
