/**
 * A pool of real nodes in one process: automerge-repo repos with file storage, wired by
 * MessageChannel (and re-wirable, to take a node offline), the real ledger, real worker_threads.
 * Time runs on a fast clock (SPEED x real time) so a 10 s lease passes in 1 s; every node, ledger
 * and worker reads that same injected clock.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Repo, type PeerId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { ClosingStorage, shutdownRepo } from "../../../src/core/ledger/closing-storage.ts";
import { Ledger } from "../../../src/core/ledger/ledger.ts";
import { createPoolWithMembers } from "../../../src/core/ledger/pool-members.ts";
import type { PoolSettingsState } from "../../../src/core/ledger/state.ts";
import type { EntryId, PoolId, SignedEntry } from "../../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { createNode, type ContributeOptions, type EdgeNode } from "../../../src/core/node.ts";
import { createNodeWorkerHost } from "../../../src/core/runtime/worker-host-node.ts";
import type { DeviceSignals, SignalSource, TimerClock } from "../../../src/core/scheduler/index.ts";
import { Listeners } from "../../../src/core/scheduler/signals.ts";
import type { Did } from "../../../src/core/identity/did-key.ts";
import { alice, bob, carol, dave, mallory, type TestIdentity } from "../../fixtures/identities.ts";
import { until } from "../../fixtures/until.ts";

export const SPEED = 4;
export const SETTINGS: PoolSettingsState = { name: "jobs", replication: 3, rewardPerJob: 10, vestingSeconds: 60, leaseSeconds: 10 };

export const taskBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(join(import.meta.dirname, "../../../public/tasks", `${name}.wasm`)));

/** Game time: SPEED ms pass for every real ms; timers are shortened to match. */
export function fastClock(speed = SPEED): TimerClock {
  const start = Date.now();
  return {
    now: () => start + (Date.now() - start) * speed,
    setTimeout(callback, delayMs) {
      const handle = setTimeout(callback, Math.max(0, delayMs / speed));
      return { cancel: () => clearTimeout(handle) };
    },
  };
}

/** A device whose power the test controls (the scheduler's signal seam; a laptop on AC by default). */
export class TestDevice implements SignalSource {
  private readonly listeners = new Listeners();
  signals: DeviceSignals = { charging: true, batteryPercent: 90, pageVisible: undefined, userIdle: undefined, cpuPressure: "nominal", hardwareCores: 4 };
  read = (): DeviceSignals => this.signals;
  onChange = (listener: () => void): (() => void) => this.listeners.add(listener);
  close = (): void => this.listeners.clear();
  set(change: Partial<DeviceSignals>): void {
    this.signals = { ...this.signals, ...change };
    this.listeners.emit();
  }
}

export interface TestNode {
  readonly name: string;
  readonly repo: Repo;
  readonly ledger: Ledger;
  readonly node: EdgeNode;
  readonly device: TestDevice;
}

export class JobNetwork {
  readonly clock: TimerClock;

  /** `speed`: game ms per real ms; a lease lasts 10 s / speed of real time. */
  constructor(speed = SPEED) {
    this.clock = fastClock(speed);
  }

  readonly nodes = new Map<string, TestNode>();
  /** Every worker event of every node, with the game time it happened (for reports). */
  private readonly events: string[] = [];

  /**
   * Waits until `submitter` sees every job in `jobs` settled; on timeout the error carries each
   * stuck job's state on every node, the entries each node refused and the workers' events, so a
   * rare stall can be read from one failed run.
   */
  async settled(submitter: TestNode, jobs: readonly EntryId[], ms = 60_000): Promise<void> {
    const stuck = () => jobs.filter((job) => !["done", "failed"].includes(submitter.node.jobs.status(job)?.status ?? ""));
    try {
      await until(() => stuck().length === 0, "every job to settle", ms);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${stuck().map((job) => this.report(job)).join("\n")}`);
    }
  }

  /** Every node's view of `job`, the entries it refused and the workers' events about the job. */
  report(job: EntryId): string {
    const lines = [`job ${job}`];
    for (const { name, ledger, node } of this.nodes.values()) {
      const state = ledger.state.jobs[job];
      lines.push(`${name}: ${JSON.stringify(state && { ...state, reveals: Object.keys(state.reveals) })} attempts=${JSON.stringify(node.workStatus()?.active)}`);
      lines.push(`${name} refused: ${JSON.stringify(ledger.view().invalid.map((i) => [i.key, i.reason, i.message]))}`);
    }
    return [...lines, ...this.events.filter((line) => line.includes(job))].join("\n");
  }

  private readonly root = mkdtempSync(join(tmpdir(), "edgepool-jobs-"));
  private readonly repos: Array<{ repo: Repo; storage: ClosingStorage }> = [];
  private readonly links: Array<{ a: string; b: string; adapters: MessageChannelNetworkAdapter[] }> = [];
  private setup: { pool: PoolId; entries: readonly SignedEntry[]; proofs: ReadonlyMap<Did, string> } | undefined;

  /** alice (root) creates the pool; bob may submit; `runners` (carol, dave and mallory) may run jobs. */
  async createPool(runners: readonly TestIdentity[] = [carol, dave, mallory]): Promise<PoolId> {
    const members = [{ identity: bob, abilities: ["job/submit" as const] }, ...runners.map((identity) => ({ identity, abilities: ["job/run" as const] }))];
    const created = await createPoolWithMembers({ root: alice, settings: SETTINGS, nonce: new Uint8Array(16).fill(5), time: this.clock.now(), members });
    this.setup = { pool: created.pool, entries: created.entries, proofs: created.proofs };
    return created.pool;
  }

  /** Starts a node; it knows the pool's setup entries (it joined earlier) and links to `peers`. */
  async start(name: string, who: TestIdentity, options: { peers?: string[]; contribute?: Partial<ContributeOptions>; tasks?: boolean; readOnly?: boolean } = {}): Promise<TestNode> {
    const storage = new ClosingStorage(new NodeFSStorageAdapter(join(this.root, name)));
    const repo = new Repo({ peerId: name as PeerId, storage, network: [] });
    this.repos.push({ repo, storage });
    for (const peer of options.peers ?? []) this.connect(name, peer, repo);
    const ledger = await Ledger.open({ repo, storage, pool: this.setup!.pool, authoriser: new UcanAuthoriser(), now: this.clock.now });
    await ledger.append(this.setup!.entries);
    const device = new TestDevice();
    const contribute = options.contribute && {
      workerHost: createNodeWorkerHost(),
      signals: device,
      host: "cli" as const,
      settings: { contribute: true, onlyWhenCharging: false, minimumBatteryPercent: 30, onlyWhenIdle: false, maxCores: 2 },
      ...options.contribute,
    };
    const tasks = options.tasks === false ? [] : [taskBytes("sha256"), taskBytes("mandelbrot")];
    const proof = this.setup!.proofs.get(who.did);
    // No checkpoints: a root's node would write them on its own, and these tests are about jobs.
    const node = await createNode({ identity: who, ledger, proof: () => proof, clock: this.clock, tasks, checkpoints: false, readOnly: options.readOnly === true, ...(contribute ? { contribute } : {}) });
    const started = { name, repo, ledger, node, device };
    node.on("worker", (event) => this.events.push(`${this.clock.now()} ${name} ${JSON.stringify(event)}`));
    this.nodes.set(name, started);
    return started;
  }

  /** Links two nodes' repos with a MessageChannel (either may still be starting). */
  connect(a: string, b: string, repoA = this.nodes.get(a)!.repo, repoB = this.nodes.get(b)?.repo): void {
    if (!repoB) return;
    const { port1, port2 } = new MessageChannel();
    const adapters = [new MessageChannelNetworkAdapter(port1 as never), new MessageChannelNetworkAdapter(port2 as never)];
    repoA.networkSubsystem.addNetworkAdapter(adapters[0]!);
    repoB.networkSubsystem.addNetworkAdapter(adapters[1]!);
    this.links.push({ a, b, adapters });
  }

  /** Stops a node the way a killed process stops: no goodbye, its claims stay in the ledger. */
  async kill(name: string): Promise<void> {
    const target = this.nodes.get(name)!;
    await target.node.close();
    target.ledger.close();
    for (const link of this.links.filter((l) => l.a === name || l.b === name)) {
      link.adapters.forEach((adapter) => adapter.disconnect());
    }
    this.nodes.delete(name);
  }

  async close(): Promise<void> {
    for (const { node, ledger } of this.nodes.values()) {
      await node.close();
      ledger.close();
    }
    for (const link of this.links) link.adapters.forEach((adapter) => adapter.disconnect());
    // Let storage writes that sync started finish before the directory goes.
    await Promise.all(this.repos.map(({ repo, storage }) => shutdownRepo(repo, storage)));
    rmSync(this.root, { recursive: true, force: true });
  }
}
