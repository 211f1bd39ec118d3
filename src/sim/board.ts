/**
 * Who works on what: the open replicas and the idle workers. Real workers spread over replicas
 * without talking, by rendezvous order (src/core/jobs/replicas.ts); ranking all members for every
 * job costs a hash per member per job, too much for 10,000 simulated members, so the board stands
 * in for it: an idle worker, drawn at random (rendezvous ranks are uniform), takes the oldest open
 * replica it may claim. Whether the claim holds is still the fold's decision.
 */
import type { Rng } from "./random.ts";
import type { SimJob, SimNode } from "./world.ts";

/** How many open jobs an idle worker looks at before giving up until the board changes. */
const SCAN = 32;

/** Whether `node` may claim a replica of `job` now; when only the claim delay stops it, `until` says from when. */
export type Eligibility = (node: SimNode, job: SimJob) => { ok: true } | { ok: false; until?: number };

export class Board {
  private queue: number[] = [];
  private head = 0;
  private idleNodes: number[] = [];
  freeReplicas = 0;

  constructor(
    private readonly jobs: SimJob[],
    private readonly nodes: SimNode[],
    private readonly rng: Rng,
  ) {}

  get idleCount(): number {
    return this.idleNodes.length;
  }

  /** Opens a replica of a job for claiming. */
  open(job: SimJob, replica: number): void {
    if (job.free.includes(replica)) return;
    job.free.push(replica);
    job.free.sort((a, b) => a - b);
    this.freeReplicas++;
    if (!job.onBoard) {
      job.onBoard = true;
      this.queue.push(job.index);
    }
  }

  /** Takes a job's lowest open replica (the caller claims it). */
  take(job: SimJob): number {
    this.freeReplicas--;
    return job.free.shift()!;
  }

  /** Closes every open replica of a settled or expired job. */
  close(job: SimJob): void {
    this.freeReplicas -= job.free.length;
    job.free = [];
  }

  addIdle(node: SimNode): void {
    if (node.idle) return;
    node.idle = true;
    this.idleNodes.push(node.index);
  }

  /** A random idle worker, removed from the list. */
  drawIdle(): SimNode | undefined {
    const n = this.idleNodes.length;
    if (n === 0) return undefined;
    const i = this.rng.below(n);
    const node = this.nodes[this.idleNodes[i]!]!;
    this.idleNodes[i] = this.idleNodes[n - 1]!;
    this.idleNodes.pop();
    node.idle = false;
    return node;
  }

  /**
   * The oldest open job `node` may claim, looking at `preferred` first (a Sybil operator's jobs).
   * `wakeAt` reports the earliest time a delayed claim would be allowed.
   */
  find(node: SimNode, eligible: Eligibility, preferred: readonly number[] = []): { job?: SimJob; wakeAt?: number } {
    let wakeAt: number | undefined;
    const consider = (job: SimJob): boolean => {
      if (job.free.length === 0) return false;
      const verdict = eligible(node, job);
      if (!verdict.ok && verdict.until !== undefined) wakeAt = Math.min(wakeAt ?? Infinity, verdict.until);
      return verdict.ok;
    };
    for (const index of preferred) if (consider(this.jobs[index]!)) return { job: this.jobs[index]! };
    while (this.head < this.queue.length && this.jobs[this.queue[this.head]!]!.free.length === 0) {
      this.jobs[this.queue[this.head]!]!.onBoard = false;
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    for (let i = this.head, seen = 0; i < this.queue.length && seen < SCAN; i++) {
      const job = this.jobs[this.queue[i]!]!;
      if (job.free.length === 0) continue;
      seen++;
      if (consider(job)) return { job };
    }
    return wakeAt === undefined ? {} : { wakeAt };
  }
}
