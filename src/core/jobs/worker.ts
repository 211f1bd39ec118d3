/**
 * The job worker: claims replicas the rendezvous order gives it, runs them on the runtime, renews
 * its lease while a task runs, commits a salted hash of the output, and reveals once the fold
 * allows (ledger/README.md, "Jobs"). Every step is decided from the fold state and the injected
 * clock; the worker keeps only its attempts in memory. Wake-ups come from ledger changes and from
 * the injected clock's timers: in a browser the node passes a clock whose timers are driven from a
 * dedicated Worker, so lease renewal does not depend on throttled main-thread timers.
 */
import { concatBytes, randomBytes, sha256, utf8 } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { MAX_INLINE_BYTES } from "../ledger/rules/jobs.ts";
import type { JobState } from "../ledger/state.ts";
import type { EntryId } from "../ledger/types.ts";
import { resultCommitment } from "../ledger/writer.ts";
import type { TimerClock } from "../scheduler/index.ts";
import type { JobBlobs } from "./job-blobs.ts";
import { encodeSealedRef } from "./sealed-ref.ts";
import type { OwnEntries, OwnEntryRequest, OwnWrite } from "./own-entries.ts";
import { activeRunners, defaultStaggerMs, leaseMsOf, liveClaimOf, planClaim, revealOpen, revealsWithCommit, weightedCompetitors, yieldsReveal } from "./replicas.ts";
import type { TaskRunner } from "./runner.ts";
import { readJobInput, readJobTask } from "./inputs.ts";

export interface ContributionLimits {
  readonly workers: number;
  readonly acceptNewTasks: boolean;
}

export interface JobWorkerOptions {
  readonly ledger: Ledger;
  /** This node's writer (shared with its job client). */
  readonly own: OwnEntries;
  readonly runner: TaskRunner;
  readonly blobs: JobBlobs;
  readonly clock: TimerClock;
  /** What the scheduler allows now; call `poke()` when it changes. */
  readonly limits: () => ContributionLimits;
  /** Time between rendezvous waves (default: a quarter of the pool's lease). */
  readonly staggerMs?: number;
  /** The longest the worker sleeps without a ledger change (default 1 s): leases are checked then. */
  readonly tickMs?: number;
}

export type WorkerEvent =
  | { type: "claimed"; job: EntryId; replica: number }
  | { type: "renewed"; job: EntryId; replica: number }
  | { type: "committed"; job: EntryId; replica: number; ms: number }
  | { type: "revealed"; job: EntryId }
  | { type: "settled"; job: EntryId; agreed: boolean }
  | { type: "dropped"; job: EntryId; reason: string };

type Phase = "running" | "ran" | "committed" | "revealed";

/** An entry this step writes in its batch, and what to do with the outcome. */
interface Planned extends OwnEntryRequest {
  readonly then: (written: OwnWrite) => void;
}

interface Attempt {
  readonly job: EntryId;
  readonly replica: number;
  readonly started: number;
  phase: Phase;
  output?: Uint8Array;
  salt?: Uint8Array;
  pausedSince?: number;
  /** Reveals the fold refused so far (a race with commits still syncing); bounded. */
  refusedReveals?: number;
  /** Until when this attempt's reveal yields to earning workers' (yieldsReveal). */
  yieldUntil?: number;
}

/** After this many refused reveals the worker gives up on the job rather than write more. */
const MAX_REFUSED_REVEALS = 3;

export class JobWorker {
  private readonly attempts = new Map<EntryId, Attempt>();
  /**
   * Attempts with an output whose job the fold settled with our reveal, or whose commit it refused
   * after the fact, kept until the job's deadline: a later entry can undo either (reopenDormant).
   */
  private readonly dormant = new Map<EntryId, Attempt>();
  /**
   * Jobs whose claim the fold refused when we wrote it. Entries that arrive later can make it ours
   * after all (the holder's claim voided by its suspension): the worker then runs it, or the fold
   * would wait a lease for a replica nobody works on.
   */
  private readonly refusedClaims = new Set<EntryId>();
  private readonly listeners = new Set<(event: WorkerEvent) => void>();
  private readonly me: Did;
  /**
   * Salts derive from this secret and the job, so a commit written again (after the fold refused
   * the first: an earlier claim displaced ours) repeats the same commitment, which the fold takes
   * as proof that the output was fixed before any reveal (ledger/README.md 8.2).
   */
  private readonly saltKey = randomBytes(32);
  private readonly unsubscribe: () => void;
  private timer: { cancel(): void } | undefined;
  private ticking = false;
  private again = false;
  private closed = false;

  constructor(private readonly options: JobWorkerOptions) {
    this.me = options.own.did;
    this.unsubscribe = options.ledger.subscribe(() => this.poke());
    this.poke();
  }

  onEvent(listener: (event: WorkerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replicas this worker is working on, by phase (for `work status`). */
  active(): Array<{ job: EntryId; replica: number; phase: Phase }> {
    return [...this.attempts.values()].map(({ job, replica, phase }) => ({ job, replica, phase }));
  }

  /** Looks at the ledger and the clock again (after a ledger change or a scheduler decision). */
  poke(): void {
    if (!this.closed) void this.tick();
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.unsubscribe();
    this.listeners.clear();
    this.dormant.clear();
    this.refusedClaims.clear();
  }

  private emit(event: WorkerEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private async tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.again = false;
        await this.step();
      } while (this.again && !this.closed);
    } finally {
      this.ticking = false;
    }
  }

  /**
   * One look at the ledger and the clock: every attempt's next entry (renewal, commit, reveal) and
   * the claims the free slots allow are written as one batch, so a worker that finishes a task
   * commits, reveals (when its commit completes the set) and claims its next job in one change.
   */
  private async step(): Promise<void> {
    const { workers } = this.options.limits();
    const now = this.options.clock.now();
    for (const attempt of this.attempts.values()) {
      if (workers === 0) attempt.pausedSince ??= now;
      else delete attempt.pausedSince;
    }
    this.reopenDormant(now);
    const batch: Planned[] = [];
    for (const attempt of [...this.attempts.values()]) if (!this.closed) await this.advance(attempt, batch, now);
    const nextPlan = this.closed ? undefined : this.planClaims(batch, now);
    if (batch.length > 0 && !this.closed) {
      const results = await this.options.own.writeMany(batch);
      for (const [i, planned] of batch.entries()) planned.then(results[i]!);
    }
    this.sleepUntil(nextPlan);
  }

  private sleepUntil(at: number | undefined): void {
    if (this.closed) return;
    const now = this.options.clock.now();
    const tick = this.options.tickMs ?? 1_000;
    this.timer?.cancel();
    this.timer = this.options.clock.setTimeout(() => this.poke(), Math.max(1, Math.min(tick, (at ?? Infinity) - now)));
  }

  private drop(attempt: Attempt, reason: string): void {
    if (this.attempts.get(attempt.job) !== attempt) return;
    this.attempts.delete(attempt.job);
    this.emit({ type: "dropped", job: attempt.job, reason });
  }

  /** Whether `attempt` is still this worker's current attempt at its job (a batch result may come late). */
  private current(attempt: Attempt): boolean {
    return this.attempts.get(attempt.job) === attempt;
  }

  private async advance(attempt: Attempt, batch: Planned[], now: number): Promise<void> {
    const job = this.options.ledger.state.jobs[attempt.job];
    if (!job) return this.drop(attempt, "the job is no longer in the ledger");
    if (job.status === "done" && job.reveals[this.me] !== undefined) {
      this.attempts.delete(attempt.job);
      this.dormant.set(attempt.job, attempt);
      return this.emit({ type: "settled", job: attempt.job, agreed: job.verdict!.workers.includes(this.me) });
    }
    if (job.status !== "open") return this.drop(attempt, job.status === "done" ? "the job was settled by other workers" : `the job failed (${job.failure})`);
    if (now > job.deadline && (attempt.phase === "running" || attempt.phase === "ran")) return this.drop(attempt, "the job's deadline passed");
    if (attempt.phase === "running") return this.keepLease(attempt, job, now, batch);
    if (attempt.phase === "ran") return this.commit(attempt, job, now, batch);
    // Entries that arrive late can refuse ours after the fact: an earlier claim on our replica wins
    // the fold (then our commit and reveal go), or a commit we counted goes (then our reveal was
    // early). A stale attempt would keep this worker off the job for good: claim again, reveal again.
    if (job.commits[this.me] === undefined) {
      this.drop(attempt, `an earlier claim on replica ${attempt.replica} reached this node after ours: the fold refused our commit, so the job is open to us again`);
      return void this.dormant.set(attempt.job, attempt);
    }
    if (attempt.phase === "revealed" && job.reveals[this.me] === undefined) attempt.phase = "committed";
    const leaseMs = leaseMsOf(this.options.ledger.state);
    if (attempt.phase !== "committed" || !revealOpen(job, now, leaseMs)) return;
    // For at most a lease: a worker that went away must not hold the job up.
    if (yieldsReveal(job, this.me) && now < (attempt.yieldUntil ??= now + leaseMs)) return;
    return this.reveal(attempt, job, batch);
  }

  /**
   * A verdict can be undone by entries that arrive late: an earlier claim wins a replica after the
   * fact, so the fold refuses the commit the verdict counted and, with it, our reveal if it came
   * before the replacement's commit (reveals wait for every commit). Our commit stays, and nobody
   * else can reveal it: the job would wait for its deadline. A refused commit of ours can likewise
   * come back (the claim that displaced us is voided by its author's suspension). So a dormant
   * attempt keeps its salt and output until the deadline and reveals again when the fold asks for it.
   */
  private reopenDormant(now: number): void {
    for (const [id, attempt] of this.dormant) {
      const job = this.options.ledger.state.jobs[id];
      if (!job || now > job.deadline) this.dormant.delete(id);
      else if (job.status === "open" && job.commits[this.me] !== undefined && job.reveals[this.me] === undefined && !this.attempts.has(id)) {
        this.dormant.delete(id);
        attempt.phase = "committed";
        this.attempts.set(id, attempt);
      }
    }
  }

  /** Renews a running task's lease at half time; a paused device stops renewing after one lease. */
  private keepLease(attempt: Attempt, job: JobState, now: number, batch: Planned[]): void {
    const claim = job.claims[attempt.replica];
    if (claim?.worker !== this.me) return this.drop(attempt, `replica ${attempt.replica} went to ${claim?.worker ?? "nobody"}`);
    const leaseMs = leaseMsOf(this.options.ledger.state);
    const pausedTooLong = attempt.pausedSince !== undefined && now - attempt.pausedSince >= leaseMs;
    if (claim.until - now > leaseMs / 2 || pausedTooLong) return;
    batch.push(this.claimEntry(attempt.job, attempt.replica, job, (written) => {
      if (!written.ok) return this.drop(attempt, `renewal refused: ${written.message}`);
      if (this.current(attempt)) this.emit({ type: "renewed", job: attempt.job, replica: attempt.replica });
    }));
  }

  private async commit(attempt: Attempt, job: JobState, now: number, batch: Planned[]): Promise<void> {
    const claim = job.claims[attempt.replica];
    // A commit must land inside the lease: renew first when little of it is left (or it ran out
    // during a pause or a slow task; then the replica is taken again only if it is still free).
    if (claim?.worker !== this.me || claim.until - now < leaseMsOf(this.options.ledger.state) / 4) {
      batch.push(this.claimEntry(attempt.job, attempt.replica, job, (written) => {
        if (!written.ok) this.drop(attempt, `the lease ran out and the replica was taken: ${written.message}`);
      }));
    }
    const salt = sha256(concatBytes(this.saltKey, utf8(attempt.job))).slice(0, 16);
    const commitment = resultCommitment(salt, sha256(attempt.output!));
    batch.push({
      kind: "result.commit",
      body: { job: attempt.job, replica: attempt.replica, commitment },
      then: (written) => {
        if (!this.current(attempt)) return;
        if (!written.ok) return this.drop(attempt, `commit refused: ${written.message}`);
        attempt.salt = salt;
        attempt.phase = "committed";
        this.emit({ type: "committed", job: attempt.job, replica: attempt.replica, ms: now - attempt.started });
        this.again = true;
      },
    });
    if (revealsWithCommit(job)) {
      attempt.salt = salt;
      await this.reveal(attempt, job, batch);
    }
  }

  private async reveal(attempt: Attempt, job: JobState, batch: Planned[]): Promise<void> {
    const output = attempt.output!;
    const body: Record<string, unknown> = { job: attempt.job, salt: attempt.salt!, output: sha256(output) };
    if (output.length <= MAX_INLINE_BYTES) body.data = output;
    else {
      const { sealed } = await this.options.blobs.put(output);
      if (sealed) body.sealed = encodeSealedRef(sealed);
    }
    batch.push({
      kind: "result.reveal",
      body,
      notBefore: Math.max(job.submitted, this.options.ledger.state.clock),
      then: (written) => {
        if (!this.current(attempt)) return;
        // A refusal here is a race with the fold's view of the commits; a later tick tries again.
        if (!written.ok) {
          attempt.refusedReveals = (attempt.refusedReveals ?? 0) + 1;
          if (attempt.refusedReveals >= MAX_REFUSED_REVEALS) this.drop(attempt, `reveal refused ${attempt.refusedReveals} times: ${written.message}`);
          return;
        }
        attempt.phase = "revealed";
        this.emit({ type: "revealed", job: attempt.job });
        this.again = true;
      },
    });
  }

  private claimEntry(job: EntryId, replica: number, state: JobState, then: (written: OwnWrite) => void): Planned {
    return { kind: "job.claim", body: { job, replica }, notBefore: state.submitted, then };
  }

  /**
   * Adds claims for as many planned replicas as the scheduler allows (a task whose commit is in
   * this batch frees its slot); returns when the next plan falls due.
   */
  private planClaims(batch: Planned[], now: number): number | undefined {
    const limits = this.options.limits();
    const committing = new Set(batch.filter((p) => p.kind === "result.commit").map((p) => p.body.job));
    const busy = [...this.attempts.values()].filter((a) => (a.phase === "running" || a.phase === "ran") && !committing.has(a.job)).length;
    if (!limits.acceptNewTasks || busy >= limits.workers) return undefined;
    const { state } = this.options.ledger;
    const competitors = weightedCompetitors(state, activeRunners(state, now, this.me), now);
    const stagger = this.options.staggerMs ?? defaultStaggerMs(leaseMsOf(state));
    const plans = Object.keys(state.jobs)
      .filter((id) => !this.attempts.has(id as EntryId))
      .map((id) => ({ id: id as EntryId, plan: planClaim(state, id as EntryId, this.me, now, stagger, competitors) }))
      .filter((p): p is { id: EntryId; plan: NonNullable<typeof p.plan> } => p.plan !== undefined)
      .sort((a, b) => a.plan.at - b.plan.at || state.jobs[a.id]!.submitted - state.jobs[b.id]!.submitted || (a.id < b.id ? -1 : 1));
    let slots = limits.workers - this.adoptClaims(now, limits.workers - busy) - busy;
    for (const { id, plan } of plans) {
      if (plan.at > now) return plan.at;
      if (slots === 0) return undefined;
      slots--;
      batch.push(this.claimEntry(id, plan.replica, state.jobs[id]!, (written) => this.claimed(id, plan.replica, written)));
    }
    return undefined;
  }

  /** Starts work on up to `slots` refused claims the fold now gives this worker; returns how many. */
  private adoptClaims(now: number, slots: number): number {
    let adopted = 0;
    for (const id of this.refusedClaims) {
      const job = this.options.ledger.state.jobs[id];
      if (!job || job.status !== "open" || now > job.deadline || job.commits[this.me] || this.attempts.has(id)) {
        this.refusedClaims.delete(id);
        continue;
      }
      const replica = liveClaimOf(job, this.me, now);
      if (replica === undefined || adopted >= slots) continue;
      this.refusedClaims.delete(id);
      adopted++;
      this.start(id, replica);
    }
    return adopted;
  }

  private claimed(job: EntryId, replica: number, written: OwnWrite): void {
    if (this.closed) return;
    if (!written.ok || this.options.ledger.state.jobs[job]?.claims[replica]?.worker !== this.me) {
      this.refusedClaims.add(job);
      return;
    }
    this.start(job, replica);
  }

  private start(job: EntryId, replica: number): void {
    const attempt: Attempt = { job, replica, started: this.options.clock.now(), phase: "running" };
    this.attempts.set(job, attempt);
    this.emit({ type: "claimed", job, replica });
    void this.run(attempt);
  }

  private async run(attempt: Attempt): Promise<void> {
    const job = this.options.ledger.state.jobs[attempt.job];
    const input = job && (await readJobInput(this.options.ledger, this.options.blobs, attempt.job));
    const module = job && (await readJobTask(this.options.ledger, this.options.blobs, attempt.job, job.task));
    if (!input?.ok || !module?.ok) return this.drop(attempt, input?.ok === false ? input.message : module?.ok === false ? module.message : "the job vanished");
    const loaded = await this.options.runner.load(module.bytes);
    if (!loaded.ok) return this.drop(attempt, `the task module was refused (${loaded.reason}): ${loaded.message}`);
    const result = await this.options.runner.run(loaded.task, input.bytes);
    if (this.attempts.get(attempt.job) !== attempt) return;
    if (!result.ok) return this.drop(attempt, `the task failed (${result.reason}): ${result.message}`);
    attempt.output = result.output;
    attempt.phase = "ran";
    this.poke();
  }
}
