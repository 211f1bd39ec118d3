/**
 * The composition root (shared/DESIGN.md): one node = an identity, a pool's ledger (over a repo
 * whose storage and network adapters the platform chose), blobs, the job client, and, when the
 * device contributes, the scheduler, the runtime's worker pool and the job worker. Everything
 * platform-specific comes in as an adapter: the worker host, the device signals, the clock. The
 * CLI (src/cli), the app (src/ui) and the network demo build nodes only through `createNode`.
 *
 * The ledger is opened by the caller: opening a pool (repo, storage, network, authoriser) is shared
 * with the pool commands, which need it before any node exists (create, invite, join).
 */
import type { Did } from "./identity/did-key.ts";
import type { Identity } from "./identity/keystore.ts";
import { BlobStore } from "./jobs/blobs.ts";
import { plainBlobs, SealedBlobs, type JobBlobs } from "./jobs/job-blobs.ts";
import { JobClient } from "./jobs/client.ts";
import { renewLateEntries } from "./jobs/late-entries.ts";
import { OwnEntries } from "./jobs/own-entries.ts";
import type { TaskRunner } from "./jobs/runner.ts";
import { JobWorker, type WorkerEvent } from "./jobs/worker.ts";
import { checkpointAutomatically, type AutoCheckpoints } from "./ledger/auto-checkpoint.ts";
import type { CheckpointPolicy } from "./ledger/checkpoint-policy.ts";
import { followEpochs, type EpochFollower } from "./ledger/epoch-follower.ts";
import type { EpochPolicy } from "./ledger/epoch-policy.ts";
import { recheckHeldEntries } from "./ledger/held-recheck.ts";
import type { Ledger } from "./ledger/ledger.ts";
import type { DirectPeers, PeerInfo } from "./net/direct.ts";
import { compactPrivatePool, privateEpochStatus } from "./privacy/private-epochs.ts";
import type { PrivateLedger } from "./privacy/private-ledger.ts";
import type { BlobCipher } from "./crypto/index.ts";
import { TaskPool, type PoolStatus, type RuntimeLimits, type WorkerHost } from "./runtime/index.ts";
import {
  createScheduler,
  systemClock,
  type ContributionSettings,
  type Decision,
  type Host,
  type Scheduler,
  type SignalSource,
  type TimerClock,
} from "./scheduler/index.ts";

export interface ContributeOptions {
  readonly workerHost: WorkerHost;
  readonly signals: SignalSource;
  readonly host: Host;
  readonly settings?: ContributionSettings;
  readonly limits?: Partial<RuntimeLimits>;
  /** Wraps the runtime before the worker uses it (the demo's dishonest worker, issue 7). */
  readonly runner?: (runtime: TaskRunner) => TaskRunner;
  /** Time between rendezvous waves of claims (default: a quarter of the pool's lease). */
  readonly staggerMs?: number;
  /** Longest sleep between looks at leases and deadlines (default 1 s). */
  readonly tickMs?: number;
}

export interface NodeOptions {
  readonly identity: Identity;
  /** The pool's ledger, opened over this node's repo. */
  readonly ledger: Ledger;
  /**
   * Set for a private pool (`ledger` is then its `ledger`): blobs travel sealed, through its
   * networked repo (the ledger's own repo never leaves this process).
   */
  readonly privacy?: PrivateLedger;
  /** How a private pool's blobs are sealed here (default WebCrypto; Node passes `nodeBlobCipher`, same bytes). */
  readonly blobCipher?: BlobCipher;
  /** This node's delegation, carried by every entry it writes (none for the root). */
  readonly proof?: () => string | undefined;
  readonly clock?: TimerClock;
  /** Task modules the node ships with (public/tasks): offered to peers as blobs. */
  readonly tasks?: readonly Uint8Array[];
  /** Present when this device contributes compute. */
  readonly contribute?: ContributeOptions;
  /** Members reached directly (net/direct.ts): blobs go peer to peer; the node closes them with itself. */
  readonly direct?: DirectPeers;
  /** How often entries the ledger holds back (future time, missing token) are checked again (default 60 s). */
  readonly recheckMs?: number;
  /**
   * When this node writes checkpoints on its own, if it holds ledger/checkpoint (the root does):
   * defaults in ledger/checkpoint-policy.ts, and when the root's node also starts the next epoch
   * (ledger/epoch-policy.ts; in a private pool by compacting); `false`: never (only `edgepool ledger
   * checkpoint` and `compact`).
   */
  readonly checkpoints?: Partial<CheckpointPolicy & EpochPolicy> | false;
  /**
   * Another process or tab holds this identity's writer role (identity/writer-role.ts): the node
   * syncs and shows the pool but signs nothing, so it neither contributes, nor renews late
   * entries, nor checkpoints, and its job client's writes are refused (`read-only`).
   */
  readonly readOnly?: boolean;
}

export type NodeState = { readonly status: "running" } | { readonly status: "closed" };

export interface WorkStatus {
  readonly decision: Decision;
  readonly pool: PoolStatus;
  readonly active: ReturnType<JobWorker["active"]>;
}

export interface NodeEvents {
  state: NodeState;
  worker: WorkerEvent;
  decision: Decision;
}

export interface EdgeNode {
  readonly did: Did;
  readonly ledger: Ledger;
  readonly blobs: JobBlobs;
  readonly jobs: JobClient;
  /** Present when the node contributes. */
  readonly scheduler: Scheduler | undefined;
  readonly worker: JobWorker | undefined;
  /** The node's own checkpoint writer (absent when turned off); it writes only while the node holds ledger/checkpoint. */
  readonly checkpoints: AutoCheckpoints | undefined;
  /** Moves the ledger to each new epoch the pool starts (a private pool's ledger moves by itself: this reports it). */
  readonly epochs: EpochFollower;
  state(): NodeState;
  /** The members heard from and how each is reached (empty without direct peers). */
  peers(): PeerInfo[];
  /** The scheduler's decision (with its reason code), the runtime's pool and the replicas in hand. */
  workStatus(): WorkStatus | undefined;
  on<K extends keyof NodeEvents>(type: K, listener: (event: NodeEvents[K]) => void): () => void;
  close(): Promise<void>;
}

type Listeners = { [K in keyof NodeEvents]: Set<(event: NodeEvents[K]) => void> };

interface Contribution {
  readonly scheduler: Scheduler;
  readonly pool: TaskPool;
  readonly worker: JobWorker;
}

function contribute(options: NodeOptions, own: OwnEntries, contributeOptions: ContributeOptions, blobs: JobBlobs, clock: TimerClock, listeners: Listeners): Contribution {
  const scheduler = createScheduler({ source: contributeOptions.signals, clock, host: contributeOptions.host, settings: contributeOptions.settings });
  let decision = scheduler.current();
  const pool = new TaskPool({ host: contributeOptions.workerHost, workers: decision.workers, limits: contributeOptions.limits });
  const worker = new JobWorker({
    ledger: options.ledger,
    own,
    runner: contributeOptions.runner ? contributeOptions.runner(pool) : pool,
    blobs,
    clock,
    limits: () => decision,
    staggerMs: contributeOptions.staggerMs,
    tickMs: contributeOptions.tickMs,
  });
  scheduler.onDecision((next) => {
    decision = next;
    // Requeue: a pause must stop worker CPU at once (UX.md 6); tasks are deterministic, so the
    // requeued one runs again on resume and its replica's lease is renewed or re-taken (worker.ts).
    pool.resize(next.workers, "requeue");
    worker.poke();
    for (const listener of listeners.decision) listener(next);
  });
  worker.onEvent((event) => {
    scheduler.setRunningTasks(pool.status().busy);
    for (const listener of listeners.worker) listener(event);
  });
  return { scheduler, pool, worker };
}

export async function createNode(options: NodeOptions): Promise<EdgeNode> {
  const clock = options.clock ?? systemClock;
  const { privacy } = options;
  const store = new BlobStore(privacy?.options.repo ?? options.ledger.options.repo, options.direct?.blobs);
  const blobs = privacy ? new SealedBlobs(store, options.blobCipher) : plainBlobs(store);
  for (const module of options.tasks ?? []) await blobs.hold(module);
  const writes = options.readOnly !== true;
  const own = new OwnEntries(options.ledger, options.identity, clock, options.proof, !writes);
  const jobs = new JobClient({ ledger: options.ledger, own, blobs, clock });
  const listeners: Listeners = { state: new Set(), worker: new Set(), decision: new Set() };
  const contribution = options.contribute && writes ? contribute(options, own, options.contribute, blobs, clock, listeners) : undefined;
  const held = recheckHeldEntries(options.ledger, options.ledger.options.repo, clock, options.recheckMs);
  const late = writes ? renewLateEntries(options.ledger, own, () => clock.now()) : undefined;
  const checkpoints =
    options.checkpoints === false || !writes
      ? undefined
      : checkpointAutomatically({
          ledger: options.ledger,
          did: options.identity.did,
          proof: () => options.proof?.(),
          write: (kind, body) => own.write(kind, body),
          clock,
          policy: options.checkpoints,
          epochs: options.checkpoints,
          network: privacy?.options.repo,
          // A private pool's epoch starts with a key rotation (signed in the author's turn of own writes, like any other).
          ...(privacy ? { startEpoch: (time: number, settleMs: number) => compactPrivatePool({ node: privacy, author: options.identity, proof: options.proof?.(), time, settleMs }) } : {}),
        });
  // A private pool's ledger lives in this process's own repo and follows the sealed starts (private-ledger.ts).
  const epochs = privacy ? privateEpochStatus(privacy) : followEpochs({ ledger: options.ledger });
  let state: NodeState = { status: "running" };
  return {
    did: options.identity.did,
    ledger: options.ledger,
    blobs,
    jobs,
    scheduler: contribution?.scheduler,
    worker: contribution?.worker,
    checkpoints,
    epochs,
    state: () => state,
    peers: () => options.direct?.peers() ?? [],
    workStatus: () =>
      contribution && { decision: contribution.scheduler.current(), pool: contribution.pool.status(), active: contribution.worker.active() },
    on(type, listener) {
      const set = listeners[type] as Set<typeof listener>;
      set.add(listener);
      return () => set.delete(listener);
    },
    async close() {
      if (state.status === "closed") return;
      held.close();
      late?.close();
      checkpoints?.close();
      epochs.close();
      contribution?.worker.close();
      contribution?.scheduler.close();
      contribution?.pool.close();
      options.contribute?.signals.close();
      options.direct?.close();
      state = { status: "closed" };
      for (const listener of listeners.state) listener(state);
    },
  };
}
