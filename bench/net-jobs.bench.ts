/**
 * Network jobs benchmark: whole jobs through one relay process with 1, 3 and 8 worker nodes on
 * loopback. The relay is a real `edgepool relay` process; each worker node is a real `edgepool
 * work` process (joined with `edgepool join`, one core each); the pool's root submits from this
 * process (src/cli/local-network.ts, the demo's stage). Per node count and replication k:
 * - jobs/s and ledger entries/s: a burst of trivial jobs (sha256 of a few bytes, so the protocol
 *   is what is measured), from submission until the submitter's fold holds every verdict; entries
 *   are every entry the burst added to the submitter's ledger (submits, claims, commits, reveals),
 *   all of which crossed the relay;
 * - latency: one job at a time, from submit to the verified result in the submitter's fold
 *   (status done), median and p95.
 * Baseline, in the same run: the same jobs through the same number of worker nodes in this one
 * process, each linked to the submitter by a MessageChannel (the relay's star without the relay,
 * sockets or processes; tests/integration/jobs/job-network.ts). Every node of the baseline shares
 * one event loop, while the processes share the machine's two cores: the ratio is the cost of the
 * relay and of separate processes together.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { utf8 } from "../src/core/crypto/index.ts";
import type { EntryId } from "../src/core/ledger/types.ts";
import type { EdgeNode } from "../src/core/node.ts";
import { Stage } from "../src/cli/local-network.ts";
import { readJson, statusPath, type WorkStatusFile } from "../src/cli/work-control.ts";
import { bob, fixture } from "../tests/fixtures/identities.ts";
import { JobNetwork, taskBytes } from "../tests/integration/jobs/job-network.ts";
import { relayProcess } from "../tests/integration/net/processes.ts";
import { until } from "../tests/fixtures/until.ts";

const BURST = 16;
const SAMPLES = 20;
/** `NET_JOBS_NODES=8 npm run bench -- net-jobs` measures one size only (a full run takes ~40 min at load 30). */
const NODE_COUNTS = (process.env.NET_JOBS_NODES ?? "1,3,8").split(",").map(Number);
const SHA256 = taskBytes("sha256");

interface Pool {
  /** The submitter's node: the pool's root (relay) or bob (baseline). */
  readonly submitter: EdgeNode;
  close(): Promise<void>;
}

interface Figures {
  readonly jobsPerSecond: number;
  readonly entriesPerSecond: number;
  readonly medianMs: number;
  readonly p95Ms: number;
}

let counter = 0;
const inputs = (n: number): Uint8Array[] => Array.from({ length: n }, () => utf8(`net-jobs ${counter++}`));

async function submit(node: EdgeNode, batch: readonly Uint8Array[], replicas: number): Promise<EntryId[]> {
  const deadline = Date.now() + 3_600_000;
  const results = await node.jobs.submitMany(batch.map((input) => ({ module: SHA256, input, replicas, reward: 1, deadline })));
  return results.map((r) => {
    if (!r.ok) throw new Error(`submit failed: ${r.reason}: ${r.message}`);
    return r.job;
  });
}

async function done(node: EdgeNode, jobs: readonly EntryId[]): Promise<void> {
  const views = await Promise.all(jobs.map((job) => node.jobs.settled(job)));
  const failed = views.filter((v) => v.status !== "done");
  if (failed.length > 0) throw new Error(`${failed.length} jobs failed`);
}

async function measure(pool: Pool, replicas: number, workers: number): Promise<Figures> {
  const node = pool.submitter;
  // Warm every worker (first task load, first sync) before the clock runs.
  await done(node, await submit(node, inputs(2 * workers), replicas));
  await node.ledger.settled();
  const entriesBefore = node.ledger.entries().length;
  const started = performance.now();
  await done(node, await submit(node, inputs(BURST), replicas));
  const seconds = (performance.now() - started) / 1000;
  await node.ledger.settled();
  const entries = node.ledger.entries().length - entriesBefore;
  const latencies: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await done(node, await submit(node, inputs(1), replicas));
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  return { jobsPerSecond: BURST / seconds, entriesPerSecond: entries / seconds, medianMs: latencies[Math.floor(SAMPLES / 2)]!, p95Ms: latencies[Math.ceil(SAMPLES * 0.95) - 1]! };
}

const io = { out: () => {}, err: () => {}, env: {} } as never;

/** A relay process, the root here, `workers` processes that joined and work. */
async function relayedPool(workers: number): Promise<Pool> {
  const dir = await mkdtemp(join(tmpdir(), "edgepool-net-jobs-"));
  const relay = await relayProcess(join(dir, "relay"));
  const stage = new Stage(dir, io);
  const close = async (): Promise<void> => {
    await stage.stop();
    await relay.stop();
    await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  try {
    await stage.createPool(relay.url, { replication: 1, leaseSeconds: 30, uses: workers });
    const members = await Promise.all(Array.from({ length: workers }, (_, i) => stage.join(i + 1, relay.url)));
    const children: ChildProcess[] = members.map((member) => stage.work(member, relay.url));
    const states = new Map<string, string | undefined>();
    const poll = setInterval(() => members.forEach((m) => void readJson<WorkStatusFile>(statusPath(m.home)).then((s) => states.set(m.home, s?.state))), 100);
    try {
      await until(() => members.every((m) => states.get(m.home) === "running") || children.some((c) => c.exitCode !== null), "every worker process to run", 300_000);
    } finally {
      clearInterval(poll);
    }
    if (children.some((c) => c.exitCode !== null)) throw new Error(`a worker process exited; see the logs in ${dir}`);
    return { submitter: stage.node!.node, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The baseline: bob submits, `workers` nodes in this process, each linked to bob only. */
async function inProcessPool(workers: number): Promise<Pool> {
  const net = new JobNetwork(1);
  const runners = Array.from({ length: workers }, (_, i) => fixture(`worker-${i + 1}`, 0x70 + i));
  await net.createPool(runners);
  const submitter = await net.start("bob", bob);
  const settings = { contribute: true, onlyWhenCharging: false, minimumBatteryPercent: 0, onlyWhenIdle: false, maxCores: 1 };
  for (const runner of runners) await net.start(runner.name, runner, { peers: ["bob"], contribute: { settings } });
  return { submitter: submitter.node, close: () => net.close() };
}

/** Figures for each replication the node count allows, on one pool (set up once: it is the slow part). */
async function run(open: () => Promise<Pool>, workers: number): Promise<Figures[]> {
  const pool = await open();
  try {
    const figures: Figures[] = [];
    for (const replicas of [1, 2].filter((k) => k <= workers)) figures.push(await measure(pool, replicas, workers));
    return figures;
  } finally {
    await pool.close();
  }
}

const fmt = (n: number, digits = 0): string => n.toFixed(digits);
const load = (): string => fmt(loadavg()[0]!, 1);
console.log(`Node ${process.version}, ${availableParallelism()} cores, load average ${load()} at the start (shared machine). Burst ${BURST} sha256 jobs; latency over ${SAMPLES} single jobs (p95: the 19th of 20).\n`);
console.log("| worker nodes | replication | how | jobs/s | entries/s | latency median (ms) | latency p95 (ms) | entries/s vs baseline | latency vs baseline |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const workers of NODE_COUNTS) {
  // The baseline first, so each row prints as soon as it is measured (a run cut short keeps its rows).
  const direct = await run(() => inProcessPool(workers), workers);
  for (const [i, d] of direct.entries()) console.log(`| ${workers} | k = ${i + 1} | one process, MessageChannel (baseline) | ${fmt(d.jobsPerSecond, 2)} | ${fmt(d.entriesPerSecond, 1)} | ${fmt(d.medianMs)} | ${fmt(d.p95Ms)} | 1x | 1x |`);
  const relayed = await run(() => relayedPool(workers), workers);
  for (const [i, r] of relayed.entries()) {
    const d = direct[i]!;
    console.log(`| ${workers} | k = ${i + 1} | relay + processes | ${fmt(r.jobsPerSecond, 2)} | ${fmt(r.entriesPerSecond, 1)} | ${fmt(r.medianMs)} | ${fmt(r.p95Ms)} | ${fmt(r.entriesPerSecond / d.entriesPerSecond, 2)}x | ${fmt(r.medianMs / d.medianMs, 2)}x |`);
  }
}
console.log(`\nLoad average ${load()} at the end.`);
process.exit(0);
