/**
 * Direct peers benchmark (issue 14): two pool members in this process, each a real repo and
 * ledger with our relay client, on loopback, with our relay (file storage) between them.
 * - set-up: from starting direct peers on both nodes to a data channel open both ways (signals
 *   signed, carried by the relay), against the baseline of a relay connection (WebSocket + join);
 * - messages: MiB/s of 1 KiB and 64 KiB messages over a data channel (chunked, paced by
 *   ChannelWriter) against the same messages through the relay (ephemeral messages it forwards);
 * - blob: a 4 MiB blob put by one node and fetched by the other, peer to peer against through the
 *   relay (an Automerge document), with the bytes the relay carried during each;
 * - sync: 10,000 signed ledger entries appended on one node until the other folded all of them,
 *   over the direct path alone (relay closed once the channel is up) against through the relay.
 */
import { availableParallelism, loadavg } from "node:os";
import { randomBytes } from "node:crypto";
import type { PeerId } from "@automerge/automerge-repo";
import { utf8 } from "../src/core/crypto/index.ts";
import { BlobStore, blobHash } from "../src/core/jobs/blobs.ts";
import type { SignedEntry } from "../src/core/ledger/types.ts";
import { ChannelWriter } from "../src/core/net/channel-writer.ts";
import { startDirectPeers } from "../src/core/net/direct.ts";
import { nodePeerConnectionFactory } from "../src/core/net/peer-connection-node.ts";
import { startRelay, type RunningRelay } from "../src/core/net/relay-node.ts";
import { nodeSocketFactory } from "../src/core/net/relay-socket-node.ts";
import { createTransports } from "../src/core/net/transports.ts";
import { bob, carol } from "../tests/fixtures/identities.ts";
import { countingProxy, type CountingProxy } from "../tests/integration/net/counting-proxy.ts";
import { directNode, type DirectNode } from "../tests/integration/net/direct-nodes.ts";
import { testPool } from "../tests/integration/net/ledger-peer.ts";
import { Peers } from "../tests/integration/net/peers.ts";
import { until } from "../tests/fixtures/until.ts";

const SETUP_SAMPLES = 5;
const MESSAGE_BYTES = { 1024: 2 * 1024 * 1024, 65536: 8 * 1024 * 1024 } as const;
/** Small enough for the relay path to finish on a loaded machine (and under its 16 MiB message limit, above which a blob document cannot cross our relay at all). */
const BLOB_BYTES = 4 * 1024 * 1024;
const ENTRIES = 10_000;

const peers = new Peers();
const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (bytes: number, ms: number) => bytes / 1024 / 1024 / (ms / 1000);

interface Rig {
  readonly relay: RunningRelay;
  readonly proxy: CountingProxy;
  readonly a: DirectNode;
  readonly b: DirectNode;
  close(): Promise<void>;
}

/** Two members on a relay behind a byte-counting proxy; `direct`: with direct peers, connected. */
async function rig(direct: boolean): Promise<Rig> {
  const relay = await startRelay({ host: "127.0.0.1", port: 0, storageDirectory: await peers.dir() });
  const proxy = await countingProxy(relay.url);
  const options = direct ? {} : { signalling: false as const };
  const a = await directNode(peers, bob, proxy.url, options);
  const b = await directNode(peers, carol, proxy.url, options);
  if (direct) await until(() => b.direct!.peers().some((p) => p.path === "direct") && a.direct!.peers().some((p) => p.path === "direct"), "a direct connection", 30_000);
  return {
    relay,
    proxy,
    a,
    b,
    async close() {
      await Promise.all([a.close(), b.close()]);
      await proxy.close();
      await relay.close().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 300));
    },
  };
}

async function setup(): Promise<{ directMs: number; relayMs: number }> {
  const direct: number[] = [];
  const relayed: number[] = [];
  for (let i = 0; i < SETUP_SAMPLES; i++) {
    const r = await rig(false);
    const t0 = performance.now();
    const transports = createTransports({ relays: [r.relay.url] }, nodeSocketFactory);
    if (!transports.ok) throw new Error(transports.message);
    const client = transports.relays[0]!;
    client.connect("bench-probe" as PeerId, {});
    await until(() => client.state().status === "connected", "a relay connection");
    relayed.push(performance.now() - t0);
    client.disconnect();
    const t1 = performance.now();
    const started = [r.a, r.b].map((n, j) => startDirectPeers({ repo: n.repo, ledger: n.ledger, identity: j === 0 ? bob : carol, createPeerConnection: nodePeerConnectionFactory, helloMs: 1_000 }));
    await until(() => started.every((d) => d.peers().some((p) => p.path === "direct")), "a direct connection", 30_000);
    direct.push(performance.now() - t1);
    for (const d of started) d.close();
    await r.close();
  }
  return { directMs: median(direct), relayMs: median(relayed) };
}

async function messagesDirect(r: Rig, size: number, total: number): Promise<number> {
  const channel = r.a.direct!.mesh.peer(r.b.repo.peerId)!.openChannel("bench")!;
  let received = 0;
  r.b.direct!.mesh.onChannel(({ channel: incoming }) => incoming.addEventListener("message", (e) => (received += (e.data as ArrayBuffer).byteLength - 1)));
  await new Promise<void>((resolve) => channel.addEventListener("open", () => resolve()));
  const writer = new ChannelWriter(channel);
  const message = new Uint8Array(randomBytes(size));
  const t0 = performance.now();
  for (let sent = 0; sent < total; sent += size) await writer.write(message);
  await until(() => received >= total, "all messages", 120_000);
  return mib(total, performance.now() - t0);
}

async function messagesRelay(r: Rig, size: number, total: number): Promise<number> {
  const handleB = r.b.ledger.handle;
  let received = 0;
  handleB.on("ephemeral-message", ({ message }) => (received += (message as Uint8Array).byteLength));
  const message = new Uint8Array(randomBytes(size));
  const t0 = performance.now();
  for (let sent = 0; sent < total; sent += size) {
    r.a.ledger.handle.broadcast(message);
    // Yield now and then: the relay client has no backpressure of its own.
    if ((sent / size) % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
  }
  await until(() => received >= total, "all messages through the relay", 300_000);
  return mib(total, performance.now() - t0);
}

async function blob(direct: boolean): Promise<{ mibPerSecond: number; relayBytes: number }> {
  const r = await rig(direct);
  try {
    const [from, to] = direct ? [new BlobStore(r.a.repo, r.a.direct!.blobs), new BlobStore(r.b.repo, r.b.direct!.blobs)] : [new BlobStore(r.a.repo), new BlobStore(r.b.repo)];
    const bytes = new Uint8Array(randomBytes(BLOB_BYTES));
    const before = r.proxy.bytes();
    const t0 = performance.now();
    const hash = await from.put(bytes);
    const got = await to.get(hash, { timeoutMs: 300_000 });
    if (!got.ok || blobHash(got.bytes) !== hash) throw new Error("the blob did not arrive intact");
    return { mibPerSecond: mib(BLOB_BYTES, performance.now() - t0), relayBytes: r.proxy.bytes() - before };
  } finally {
    await r.close();
  }
}

async function sync(direct: boolean): Promise<number> {
  const r = await rig(direct);
  try {
    const { proofs } = await testPool();
    const writer = r.a.ledger.writerFor(bob);
    const proof = [proofs.get(bob.did)!];
    const entries: SignedEntry[] = [];
    const now = Date.now();
    for (let i = 0; i < ENTRIES; i++) entries.push(await writer.write("job.submit", { task: "mandelbrot", input: utf8(`bench ${i}`), replicas: 1, reward: 1, deadline: now + 3_600_000 }, now, proof));
    if (direct) await r.relay.close();
    const t0 = performance.now();
    const appended = await r.a.ledger.append(entries);
    if (!appended.ok) throw new Error(appended.message);
    const last = entries.at(-1)!.id;
    await until(() => r.b.ledger.entry(last) !== undefined && entries.every((e) => r.b.ledger.entry(e.id) !== undefined), "every entry at the reader", 600_000);
    return performance.now() - t0;
  } finally {
    await r.close();
  }
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} at the start (shared machine). node-datachannel on loopback, our relay behind a byte-counting proxy.\n`);
  const s = await setup();
  console.log("| measure | direct (data channel) | relay | direct vs relay |");
  console.log("|---|---|---|---|");
  console.log(`| connection set-up, median of ${SETUP_SAMPLES} (ms) | ${fmt(s.directMs)} | ${fmt(s.relayMs)} (WebSocket + join) | ${fmt(s.directMs / s.relayMs, 1)}x the time |`);
  for (const [size, total] of Object.entries(MESSAGE_BYTES)) {
    const d = await rig(true);
    const direct = await messagesDirect(d, Number(size), total);
    await d.close();
    const rr = await rig(false);
    const relayed = await messagesRelay(rr, Number(size), total);
    await rr.close();
    console.log(`| ${Number(size) / 1024} KiB messages, ${total / 1024 / 1024} MiB (MiB/s) | ${fmt(direct, 1)} | ${fmt(relayed, 1)} | ${fmt(direct / relayed, 1)}x |`);
  }
  const bd = await blob(true);
  const br = await blob(false);
  console.log(`| ${BLOB_BYTES / 1024 / 1024} MiB blob put and fetched (MiB/s) | ${fmt(bd.mibPerSecond, 1)} | ${fmt(br.mibPerSecond, 1)} | ${fmt(bd.mibPerSecond / br.mibPerSecond, 1)}x |`);
  console.log(`| relay bytes during that blob | ${fmt(bd.relayBytes)} (${fmt((100 * bd.relayBytes) / BLOB_BYTES, 2)}% of the blob) | ${fmt(br.relayBytes)} | |`);
  const sd = await sync(true);
  const sr = await sync(false);
  console.log(`| sync of ${fmt(ENTRIES)} ledger entries (s) | ${fmt(sd / 1000, 1)} | ${fmt(sr / 1000, 1)} | ${fmt(sr / sd, 1)}x faster |`);
  console.log(`\nLoad average at the end: ${loadavg()[0]!.toFixed(1)}.`);
  await peers.cleanup();
}

await main();
process.exit(0);
