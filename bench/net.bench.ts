/**
 * Network benchmark: ledger entries through one relay (ours, file storage, real WebSockets on
 * loopback) with 1, 3 and 8 nodes, each a real repo and ledger reached through our client adapter.
 * One node writes signed job.submit entries; the others must validate and fold them.
 * - entries/s: a burst of entries, one append each, until every other node folded all of them
 *   (with 1 node: until the relay acknowledged them, i.e. holds the writer's heads);
 * - latency: one entry at a time, from append to the last node folding it (median and p95).
 * Baseline, in the same run: the same nodes wired directly by MessageChannel (no relay, no sockets).
 * All nodes share this process (and the machine's two cores), so figures for 8 nodes include the
 * cost of running 8 validating nodes on one core.
 */
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { Repo, type NetworkAdapterInterface, type StorageId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { utf8 } from "../src/core/crypto/index.ts";
import { Ledger } from "../src/core/ledger/ledger.ts";
import { UcanAuthoriser } from "../src/core/ledger/ucan-authoriser.ts";
import type { EntryId } from "../src/core/ledger/types.ts";
import { startRelay } from "../src/core/net/relay-node.ts";
import { nodeSocketFactory } from "../src/core/net/relay-socket-node.ts";
import { createTransports } from "../src/core/net/transports.ts";
import { bob } from "../tests/fixtures/identities.ts";
import { testPool } from "../tests/integration/net/ledger-peer.ts";

const BURST = 200;
const SAMPLES = 15;

interface Rig {
  readonly ledgers: Ledger[];
  /** Whether every reader (or, alone, the relay) has `ids`. */
  holds(ids: readonly EntryId[]): boolean;
  close(): Promise<void>;
}

/** Repos with file storage (the ledger keeps its own entry store there), one per network. */
function repos(dir: string, networks: NetworkAdapterInterface[][]): Array<{ repo: Repo; storage: NodeFSStorageAdapter }> {
  return networks.map((network, i) => {
    const storage = new NodeFSStorageAdapter(join(dir, `node-${i}`));
    return { repo: new Repo({ network, storage }), storage };
  });
}

async function open(nodes: Array<{ repo: Repo; storage: NodeFSStorageAdapter }>): Promise<Ledger[]> {
  const { pool, entries, proofs } = await testPool();
  bobsProof = [proofs.get(bob.did)!];
  const ledgers = await Promise.all(nodes.map(({ repo, storage }) => Ledger.open({ repo, storage, pool, authoriser: new UcanAuthoriser(), now: Date.now })));
  for (const ledger of ledgers) await ledger.append(entries);
  return ledgers;
}

/** Lets every ledger finish storing what it validated before its repo shuts down. */
async function quiesce(ledgers: Ledger[]): Promise<void> {
  await Promise.all(ledgers.map((l) => l.settled()));
  for (const ledger of ledgers) ledger.close();
}

const readersHold = (ledgers: Ledger[], ids: readonly EntryId[]) => ledgers.slice(1).every((l) => ids.every((id) => l.entry(id) !== undefined));

async function relayRig(nodes: number): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), "edgepool-net-bench-"));
  const relay = await startRelay({ host: "127.0.0.1", port: 0, storageDirectory: join(dir, "relay") });
  const nodesOf = repos(
    dir,
    Array.from({ length: nodes }, () => {
      const transports = createTransports({ relays: [relay.url] }, nodeSocketFactory);
      if (!transports.ok) throw new Error(transports.message);
      return transports.adapters;
    }),
  );
  const ledgers = await open(nodesOf);
  const relayStorage = async (): Promise<StorageId> => {
    for (;;) {
      const id = Object.values(nodesOf[0]!.repo.peerMetadataByPeerId).find((m) => m?.storageId)?.storageId;
      if (id) return id;
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const acknowledged = await relayStorage();
  const writer = ledgers[0]!;
  const sameHeads = (a: readonly string[] | undefined, b: readonly string[]) => a !== undefined && a.length === b.length && a.every((h) => b.includes(h));
  return {
    ledgers,
    holds: (ids) => (nodes === 1 ? sameHeads(writer.handle.getSyncInfo(acknowledged)?.lastHeads, writer.handle.heads()) : readersHold(ledgers, ids)),
    async close() {
      await quiesce(ledgers);
      await Promise.all(nodesOf.map((n) => n.repo.shutdown()));
      await relay.close();
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

async function directRig(nodes: number): Promise<Rig> {
  const adapters: NetworkAdapterInterface[][] = Array.from({ length: nodes }, () => []);
  for (let i = 0; i < nodes; i++) {
    for (let j = i + 1; j < nodes; j++) {
      const { port1, port2 } = new MessageChannel();
      adapters[i]!.push(new MessageChannelNetworkAdapter(port1 as never));
      adapters[j]!.push(new MessageChannelNetworkAdapter(port2 as never));
    }
  }
  const dir = await mkdtemp(join(tmpdir(), "edgepool-net-bench-"));
  const nodesOf = repos(dir, adapters);
  const ledgers = await open(nodesOf);
  return {
    ledgers,
    holds: (ids) => readersHold(ledgers, ids),
    async close() {
      await quiesce(ledgers);
      await Promise.all(nodesOf.map((n) => n.repo.shutdown()));
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the bench timed out waiting for sync");
    await new Promise((r) => setTimeout(r, 1));
  }
}

let counter = 0;
/** bob's delegation, which every entry he writes carries (set when the pool is opened). */
let bobsProof: string[] = [];
async function write(ledger: Ledger): Promise<EntryId> {
  const now = Date.now();
  const result = await ledger.write(bob, "job.submit", { task: "mandelbrot", input: utf8(`bench ${counter++}`), replicas: 1, reward: 1, deadline: now + 3_600_000 }, bobsProof);
  if (!result.ok) throw new Error(result.message);
  return result.ids[0]!;
}

async function measure(rig: Rig): Promise<{ perSecond: number; medianMs: number; p95Ms: number }> {
  const writer = rig.ledgers[0]!;
  await until(() => rig.holds([]));
  const started = performance.now();
  const burst: EntryId[] = [];
  for (let i = 0; i < BURST; i++) burst.push(await write(writer));
  await until(() => rig.holds(burst));
  const perSecond = BURST / ((performance.now() - started) / 1000);
  const latencies: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    const id = await write(writer);
    await until(() => rig.holds([id]));
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  await rig.close();
  return { perSecond, medianMs: latencies[Math.floor(SAMPLES / 2)]!, p95Ms: latencies[Math.ceil(SAMPLES * 0.95) - 1]! };
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

console.log(`Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} (shared machine). Burst ${BURST} entries; latency over ${SAMPLES} single entries.\n`);
console.log("| nodes | transport | entries/s | latency median (ms) | latency p95 (ms) | entries/s vs direct |");
console.log("|---|---|---|---|---|---|");
for (const nodes of [1, 3, 8]) {
  const relayed = await measure(await relayRig(nodes));
  const direct = nodes === 1 ? undefined : await measure(await directRig(nodes));
  console.log(`| ${nodes} | relay (WebSocket) | ${fmt(relayed.perSecond)} | ${fmt(relayed.medianMs, 1)} | ${fmt(relayed.p95Ms, 1)} | ${direct ? fmt(relayed.perSecond / direct.perSecond, 2) + "x" : "n/a (alone)"} |`);
  if (direct) console.log(`| ${nodes} | direct (MessageChannel, baseline) | ${fmt(direct.perSecond)} | ${fmt(direct.medianMs, 1)} | ${fmt(direct.p95Ms, 1)} | 1x |`);
}
process.exit(0);
