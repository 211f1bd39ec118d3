/**
 * The submitter's side: submit a job (module and large input as blobs, small input inline), watch
 * its status (queued, running, verifying, done, failed) and fetch the accepted output. Submitting
 * works offline: the entry is validated, stored and written to this node's copy of the ledger
 * document, and automerge-repo syncs it when a peer is reachable.
 */
import type { Ledger } from "../ledger/ledger.ts";
import { MAX_INLINE_BYTES } from "../ledger/rules/jobs.ts";
import type { EntryId } from "../ledger/types.ts";
import { jobView, vestingMsOf, type JobView } from "../ledger/verdict.ts";

export type { JobView };
import type { TimerClock } from "../scheduler/index.ts";
import type { JobBlobs } from "./job-blobs.ts";
import { encodeSealedRef } from "./sealed-ref.ts";
import { readJobOutput, type BytesResult } from "./inputs.ts";
import { currentEntry } from "./late-entries.ts";
import type { OwnEntries, OwnWriteRefusal } from "./own-entries.ts";

export interface SubmitRequest {
  /** The task module's bytes (sent as a blob; the job names it by hash). */
  readonly module: Uint8Array;
  readonly input: Uint8Array;
  readonly replicas: number;
  readonly reward: number;
  /** Absolute time (ms) by which the job must have a verdict. */
  readonly deadline: number;
  /** For a one-replica job: the chance in thousandths of a hidden spot check. */
  readonly spot?: number;
  /** An open pool's anonymous submission: the issuer token it spends (this node's identity is then an ephemeral key). */
  readonly token?: Uint8Array;
}

export type SubmitResult = { ok: true; job: EntryId } | { ok: false; reason: OwnWriteRefusal; message: string };

export interface JobClientOptions {
  readonly ledger: Ledger;
  /** This node's writer (shared with its worker). */
  readonly own: OwnEntries;
  readonly blobs: JobBlobs;
  readonly clock: TimerClock;
}

export class JobClient {
  /** Jobs this node submitted again after a checkpoint made them late (late-entries.ts): old id -> new. */
  private readonly renewed = new Map<EntryId, EntryId>();

  constructor(private readonly options: JobClientOptions) {}

  /**
   * The job that stands for `job` now: itself, or, when its submit was made late by a checkpoint
   * and this node submitted it again, the new one (so an id printed at submit time keeps working).
   */
  current(job: EntryId): EntryId {
    const { ledger, own } = this.options;
    if (ledger.state.jobs[job] || ledger.entry(job)?.entry.author !== own.did) return job;
    const known = this.renewed.get(job);
    if (known) return known;
    const current = currentEntry(ledger, own.did, job);
    if (current !== job) this.renewed.set(job, current);
    return current;
  }

  async submit(request: SubmitRequest): Promise<SubmitResult> {
    const [result] = await this.submitMany([request]);
    return result!;
  }

  /** Submits a batch of jobs as one change to the ledger (one sync round for all of them, e.g. an image's tiles). */
  async submitMany(requests: readonly SubmitRequest[]): Promise<SubmitResult[]> {
    const bodies = [];
    for (const request of requests) bodies.push({ kind: "job.submit" as const, body: await this.jobBody(request) });
    const written = await this.options.own.writeMany(bodies);
    return written.map((w) => (w.ok ? { ok: true, job: w.id } : w));
  }

  private async jobBody(request: SubmitRequest): Promise<Record<string, unknown>> {
    const { blobs } = this.options;
    const task = await blobs.put(request.module);
    const large = request.input.length > MAX_INLINE_BYTES;
    const input = large ? await blobs.put(request.input) : undefined;
    const body: Record<string, unknown> = {
      task: task.hash,
      input: input ? new Uint8Array(0) : request.input,
      replicas: request.replicas,
      reward: request.reward,
      deadline: request.deadline,
    };
    if (input) body.blob = input.hash;
    if (request.spot !== undefined) body.spot = request.spot;
    if (request.token !== undefined) body.token = request.token;
    // A private pool's blobs travel sealed; their keys ride in this (sealed) entry.
    const sealed = { ...(task.sealed ? { task: encodeSealedRef(task.sealed) } : {}), ...(input?.sealed ? { blob: encodeSealedRef(input.sealed) } : {}) };
    if (Object.keys(sealed).length > 0) body.sealed = sealed;
    return body;
  }

  status(job: EntryId): JobView | undefined {
    const { state } = this.options.ledger;
    const current = this.current(job);
    const found = state.jobs[current];
    return found && jobView(current, found, this.options.clock.now(), vestingMsOf(state));
  }

  /** Every job in the pool (or only this node's), newest first. */
  list(mine = false): JobView[] {
    const now = this.options.clock.now();
    const { state } = this.options.ledger;
    return Object.entries(state.jobs)
      .filter(([, job]) => !mine || job.submitter === this.options.own.did)
      .map(([id, job]) => jobView(id as EntryId, job, now, vestingMsOf(state)))
      .sort((a, b) => b.submitted - a.submitted || (a.id < b.id ? -1 : 1));
  }

  result(job: EntryId, timeoutMs?: number): Promise<BytesResult> {
    return readJobOutput(this.options.ledger, this.options.blobs, this.current(job), timeoutMs);
  }

  /** Resolves with the job's view once it is done or failed (a deadline that passes counts as failed). */
  settled(job: EntryId): Promise<JobView> {
    return new Promise((resolve) => {
      let timer: { cancel(): void } | undefined;
      const check = (): void => {
        const current = this.status(job);
        timer?.cancel();
        if (current && (current.status === "done" || current.status === "failed")) {
          unsubscribe();
          return resolve(current);
        }
        // Deadlines pass without an entry: look again when this one falls due.
        const wait = current ? Math.max(1, current.deadline + 1 - this.options.clock.now()) : 1_000;
        timer = this.options.clock.setTimeout(check, Math.min(wait, 60_000));
      };
      const unsubscribe = this.options.ledger.subscribe(check);
      check();
    });
  }
}
