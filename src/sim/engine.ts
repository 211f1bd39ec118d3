/**
 * The discrete-event simulation: members come and go, claim replicas, run them, commit and reveal
 * through the simulated ledger, and the real fold decides claims, leases, verdicts, credits and
 * reputation. The engine reacts to what the fold decided (a job settled, a replica freed, reveals
 * opened) exactly as a worker reading the ledger would, with the view H behind the clock.
 */
import { bytesToHex } from "../core/crypto/index.ts";
import { activeRunners, defaultStaggerMs, weightedCompetitors } from "../core/jobs/replicas.ts";
import { trusted } from "../core/ledger/trust.ts";
import type { JobState } from "../core/ledger/state.ts";
import type { EntryId, SignedEntry } from "../core/ledger/types.ts";
import type { Did } from "../core/identity/did-key.ts";
import { resultCommitment } from "../core/ledger/writer.ts";
import { AVAILABILITY, ROLES, STRATEGIES, type Availability, type Answer, type Strategy } from "./behaviour.ts";
import { Board } from "./board.ts";
import { EventQueue } from "./clock.ts";
import type { SimConfig } from "./config.ts";
import { Rng, sample } from "./random.ts";
import { arrivalGap, type Tally, newTally } from "./tally.ts";
import { createWorld, DAY_MS, FIRST_JOB_TIME, simulatedDid, START_TIME, type SimEvent, type SimJob, type SimNode } from "./world.ts";
import type { SimLedger } from "./ledger.ts";
import { NewcomerWatch, SybilFarm, type FarmFigures, type NewcomerFigures } from "./open-pool.ts";

const FOLD_TICK_MS = 1_000;
/** How often the root checkpoints while single runs wait for their spot-check draw. */
const CHECKPOINT_MS = 60_000;
/** How often workers' lists of competitors (activeRunners of the view) are refreshed. */
const RANK_REFRESH_MS = 60_000;
const EMPTY = new Uint8Array(0);
/** A Sybil farm submits one job per this many of the pool's submissions. */
const FARM_EVERY = 10;

export class Simulation {
  readonly queue = new EventQueue<SimEvent>(START_TIME);
  readonly ledger: SimLedger;
  readonly nodes: SimNode[];
  readonly jobs: SimJob[] = [];
  readonly tally: Tally = newTally();
  private readonly board: Board;
  private readonly jobByEntry = new Map<EntryId, number>();
  /** Fold ticks so far: `touched` lists a job once per tick. */
  private ticks = 0;
  private readonly groupJobs = new Map<number, number[]>();
  private readonly rng: { arrivals: Rng; churn: Rng; work: Rng; answers: Rng };
  private readonly strategy: Strategy;
  private readonly availability: Availability;
  private readonly leaseMs: number;
  /** The pool's auditor (an honest oracle with job/audit) when the run has incentives. */
  private readonly auditor: Did | undefined;
  private tokens = 0;
  /** Jobs whose single-run commit waits for a checkpoint (the spot-check draw). */
  private readonly awaitingSeed = new Set<number>();
  private lastCheckpoint = START_TIME;
  private unresolved = 0;
  private rankedAt = -Infinity;
  /** After this long the fold has taken everything stamped before (the horizon, and a tick to fold it). */
  private readonly recheckAfterMs: number;

  /** Jobs settled by one worker alone: a strike against it may reopen them (revocation). */
  private readonly singles = new Set<number>();
  private strikesSeen = 0;
  /** The pool's submission count from which the next caught identity may re-enter (--reentry-every). */
  private nextReentry = 0;
  /** Every identity a caught member re-entered with. */
  private readonly reentered: Did[] = [];
  private readonly farm: SybilFarm | undefined;
  private readonly newcomers: NewcomerWatch | undefined;

  constructor(readonly config: SimConfig) {
    const root = new Rng(config.seed);
    const world = createWorld(config, root.fork());
    this.ledger = world.ledger;
    this.nodes = world.nodes;
    this.rng = { arrivals: root.fork(), churn: root.fork(), work: root.fork(), answers: root.fork() };
    this.leaseMs = config.pool.leaseSeconds * 1000;
    this.recheckAfterMs = this.ledger.horizonMs + FOLD_TICK_MS + 1;
    this.board = new Board(this.jobs, this.nodes, defaultStaggerMs(this.leaseMs), {
      now: () => this.queue.now,
      claim: (node, job, replica) => this.claim(node, job, replica),
      wakeAt: (time, target) => this.wakeAt(time, target),
      state: () => this.ledger.state,
    });
    const strategy = STRATEGIES[config.strategy];
    if (!strategy) throw new RangeError(`unknown strategy ${config.strategy}`);
    this.strategy = strategy;
    const availability = AVAILABILITY[config.availabilityModel];
    if (!availability) throw new RangeError(`unknown availability model ${config.availabilityModel}`);
    this.availability = availability;
    this.auditor = world.auditor;
    this.farm = world.farm ? new SybilFarm(this.ledger, this.nodes[world.farm.operator]!.did, world.farm.identities, root.fork()) : undefined;
    this.newcomers = config.pool.open ? new NewcomerWatch(this.nodes.filter((n) => n.role === "honest" && n.stranger).map((n) => n.did)) : undefined;
  }

  /** Issue 12's figures of an open pool (undefined otherwise). */
  openFigures(): { newcomers: NewcomerFigures; farm?: FarmFigures; reentriesAdmitted: number } | undefined {
    if (!this.newcomers) return undefined;
    const state = this.ledger.state;
    const reentriesAdmitted = this.reentered.filter((did) => (state.members[did]?.since ?? Infinity) <= this.queue.now).length;
    return { newcomers: this.newcomers.figures(), ...(this.farm ? { farm: this.farm.figures(state) } : {}), reentriesAdmitted };
  }

  /** Runs to the end: every job settled, failed or past its deadline. */
  run(): void {
    for (const node of this.nodes) this.startNode(node);
    this.queue.at(FIRST_JOB_TIME, { type: "submit" });
    this.queue.at(START_TIME + FOLD_TICK_MS, { type: "fold" });
    for (let event = this.queue.next(); event; event = this.queue.next()) {
      this.handle(event);
      if (this.tally.submitted === this.config.jobs && this.unresolved === 0) break;
    }
    this.tally.endedAt = this.queue.now;
  }

  private handle(e: SimEvent): void {
    switch (e.type) {
      case "submit":
        return this.submit();
      case "fold":
        return this.fold();
      case "online":
        return this.goOnline(this.nodes[e.node]!);
      case "offline":
        return this.goOffline(this.nodes[e.node]!);
      case "window":
        return this.window(this.nodes[e.node]!, e.open);
      case "finish":
        return this.finish(this.nodes[e.node]!, e.token);
      case "renew":
        return this.renew(this.nodes[e.node]!, e.token);
      case "abandon":
        return this.abandon(this.nodes[e.node]!, e.token);
      case "recheck":
        return this.reconcile(this.jobs[e.job]!);
      case "wake":
        return this.wake(this.nodes[e.node]!);
      case "wave":
        return this.wave(this.jobs[e.job]!);
    }
  }

  private startNode(node: SimNode): void {
    if (node.window !== undefined) {
      const into = (START_TIME + DAY_MS - node.window) % DAY_MS;
      const open = into < this.config.devices.windowHours * 3_600_000;
      node.paused = !open;
      this.queue.at(START_TIME + (open ? this.config.devices.windowHours * 3_600_000 - into : DAY_MS - into), { type: "window", node: node.index, open: !open });
    }
    if (this.availability.startsOnline(node.role, this.rng.churn, this.config)) this.goOnline(node);
    else this.queue.at(START_TIME + this.availability.gapMs(node.role, this.rng.churn, this.config), { type: "online", node: node.index });
  }

  private goOnline(node: SimNode): void {
    const admittedAt = this.admission(node);
    if (admittedAt > this.queue.now) return this.queue.at(admittedAt, { type: "online", node: node.index });
    node.online = true;
    const session = this.availability.sessionMs(node.role, this.rng.churn, this.config);
    if (Number.isFinite(session)) this.queue.at(this.queue.now + session, { type: "offline", node: node.index });
    for (const job of [...node.awaiting]) this.revealIfOpen(node, this.jobs[job]!);
    this.makeIdle(node);
  }

  /**
   * When a stranger of an open pool may start: once the fold has its join and its admission time
   * (the join cap may queue it to a later epoch) has come. Invited members: at once.
   */
  private admission(node: SimNode): number {
    if (!node.stranger) return -Infinity;
    const member = this.ledger.state.members[node.did];
    return member ? member.since : this.queue.now + this.recheckAfterMs;
  }

  private goOffline(node: SimNode): void {
    node.online = false;
    this.board.busy(node);
    this.dropAttempt(node);
    this.queue.at(this.queue.now + this.availability.gapMs(node.role, this.rng.churn, this.config), { type: "online", node: node.index });
  }

  /** A battery device's daily window opens (computing resumes) or closes (it pauses, keeping its task). */
  private window(node: SimNode, open: boolean): void {
    const hours = this.config.devices.windowHours * 3_600_000;
    this.queue.at(this.queue.now + (open ? hours : DAY_MS - hours), { type: "window", node: node.index, open: !open });
    node.paused = !open;
    if (!open) this.board.busy(node);
    const attempt = node.attempt;
    if (!open && attempt?.runningSince !== undefined) {
      attempt.remaining -= this.queue.now - attempt.runningSince;
      attempt.runningSince = undefined;
    }
    if (open && attempt && attempt.runningSince === undefined) this.resumeAttempt(node);
    if (open) this.makeIdle(node);
  }

  private makeIdle(node: SimNode): void {
    if (!node.online || node.paused || node.attempt || !ROLES[node.role].works) return;
    this.board.idle(node, ROLES[node.role].coordinated ? this.groupJobs.get(node.group) : undefined);
  }

  /** One look-again per node at a time: the earliest one asked for. */
  private wakeAt(time: number, target: { node: SimNode } | { job: SimJob }): void {
    const at = Math.max(this.queue.now + 1, time);
    if ("job" in target) {
      const { job } = target;
      if (job.waveAt !== undefined && job.waveAt <= at) return;
      job.waveAt = at;
      return this.queue.at(at, { type: "wave", job: job.index });
    }
    const { node } = target;
    if (node.wakeAt !== undefined && node.wakeAt <= at) return;
    node.wakeAt = at;
    this.queue.at(at, { type: "wake", node: node.index });
  }

  private wake(node: SimNode): void {
    if (node.wakeAt !== this.queue.now) return;
    node.wakeAt = undefined;
    if (node.idle) this.makeIdle(node);
  }

  private wave(job: SimJob): void {
    if (job.waveAt !== this.queue.now) return;
    job.waveAt = undefined;
    this.board.offer(job);
  }

  private claim(node: SimNode, job: SimJob, replica: number): void {
    const now = this.queue.now;
    job.holders.set(replica, node.index);
    job.claimants.add(node.did);
    this.ledger.write(node.did, "job.claim", { job: job.id, replica }, now);
    const rule = ROLES[node.role];
    const token = ++this.tokens;
    const remaining = rule.computes ? Math.max(1, Math.round(job.work / node.speed)) : 1_000;
    node.attempt = { token, job: job.index, replica, claimedAt: now, remaining, runningSince: undefined, finishAt: 0, leaseUntil: now + this.leaseMs };
    if (!rule.finishes) this.queue.after(this.leaseMs, { type: "abandon", node: node.index, token });
    else this.resumeAttempt(node);
    if (rule.coordinated) this.groupJobs.set(node.group, [job.index, ...(this.groupJobs.get(node.group) ?? []).filter((j) => this.jobs[j]!.free.length > 0).slice(0, 7)]);
    this.queue.after(this.leaseMs + this.recheckAfterMs, { type: "recheck", job: job.index });
  }

  private resumeAttempt(node: SimNode): void {
    const attempt = node.attempt!;
    attempt.runningSince = this.queue.now;
    attempt.finishAt = this.queue.now + attempt.remaining;
    this.queue.at(attempt.finishAt, { type: "finish", node: node.index, token: attempt.token });
    if (attempt.remaining > this.leaseMs / 2) this.queue.at(Math.min(attempt.finishAt, attempt.leaseUntil - this.leaseMs / 2), { type: "renew", node: node.index, token: attempt.token });
  }

  /** Renews the lease of a task still running at half time (the real worker does the same). */
  private renew(node: SimNode, token: number): void {
    const attempt = node.attempt;
    if (!attempt || attempt.token !== token || attempt.runningSince === undefined || attempt.finishAt <= this.queue.now) return;
    const job = this.jobs[attempt.job]!;
    if (job.outcome !== "open") return;
    this.ledger.write(node.did, "job.claim", { job: job.id, replica: attempt.replica }, this.queue.now);
    attempt.leaseUntil = this.queue.now + this.leaseMs;
    this.queue.at(Math.min(attempt.finishAt, this.queue.now + this.leaseMs / 2), { type: "renew", node: node.index, token });
    this.queue.after(this.leaseMs + this.recheckAfterMs, { type: "recheck", job: job.index });
  }

  /** A claimer's lease ran out: it moves on to claim something else. */
  private abandon(node: SimNode, token: number): void {
    if (node.attempt?.token !== token) return;
    this.dropAttempt(node);
    this.makeIdle(node);
  }

  /** The node stops working on its replica (it left, or gave up); the lease will lapse in the fold. */
  private dropAttempt(node: SimNode): void {
    const attempt = node.attempt;
    if (!attempt) return;
    node.attempt = undefined;
    const job = this.jobs[attempt.job]!;
    if (job.holders.get(attempt.replica) === node.index) job.holders.delete(attempt.replica);
    if (ROLES[node.role].computes) {
      const ran = attempt.runningSince === undefined ? 0 : this.queue.now - attempt.runningSince;
      this.tally.abortedMs += ran + (Math.round(job.work / node.speed) - attempt.remaining);
    }
  }

  private finish(node: SimNode, token: number): void {
    const attempt = node.attempt;
    if (!attempt || attempt.token !== token || attempt.finishAt !== this.queue.now || attempt.runningSince === undefined) return;
    node.attempt = undefined;
    const job = this.jobs[attempt.job]!;
    if (ROLES[node.role].computes) {
      this.tally.executions++;
      this.tally.computeMs += Math.round(job.work / node.speed);
    }
    if (job.outcome === "open" && job.holders.get(attempt.replica) === node.index) this.commit(node, job, attempt.replica, attempt.leaseUntil);
    else this.tally.lateResults++;
    this.makeIdle(node);
  }

  private commit(node: SimNode, job: SimJob, replica: number, leaseUntil: number): void {
    const now = this.queue.now;
    // The lease ran out while the device was paused: take the replica again (the fold decides).
    if (now > leaseUntil) this.ledger.write(node.did, "job.claim", { job: job.id, replica }, now);
    const output = this.outputOf(node, job);
    const salt = this.rng.answers.bytes(16);
    this.ledger.write(node.did, "result.commit", { job: job.id, replica, commitment: resultCommitment(salt, output) }, now);
    job.committed.set(node.index, { replica, salt, output, at: now, revealedAt: undefined });
    node.awaiting.add(job.index);
  }

  private outputOf(node: SimNode, job: SimJob): Uint8Array {
    let holders = 0;
    for (const other of job.holders.values()) if (other !== node.index && this.nodes[other]!.group === node.group && node.group >= 0) holders++;
    const state = this.ledger.state;
    const alone = state.jobs[job.id]?.single === node.did;
    const answer: Answer = this.strategy.answer({ role: node.role, rng: this.rng.answers, config: this.config, groupHolders: holders, replicas: job.free.length + job.holders.size, alone, trusted: trusted(state, node.did) });
    if (answer === "correct") return job.correct;
    const wrong = job.correct.slice();
    wrong[0] = wrong[0]! ^ 0xff;
    const tag = answer === "group" ? node.group : 1_000_000 + node.index;
    for (let i = 0; i < 4; i++) wrong[1 + i] = wrong[1 + i]! ^ ((tag >>> (8 * i)) & 0xff);
    return wrong;
  }

  private submit(): void {
    const now = this.queue.now;
    const index = this.jobs.length;
    const p = this.config.pool;
    const submitter = this.rng.arrivals.below(this.nodes.length);
    const body: Record<string, unknown> = { task: "sim-task", input: EMPTY, replicas: p.replicas, reward: p.reward, deadline: now + p.deadlineMs };
    if (p.spotCheck > 0) body.spot = Math.round(p.spotCheck * 1000);
    if (p.incentives && p.replicas >= 3) body.adaptive = 1;
    // The submitter re-sends until the pool has the job: submissions are not lost.
    const id = this.ledger.write(this.nodes[submitter]!.did, "job.submit", body, now, { reliable: true });
    const correct = this.rng.work.bytes(32);
    const work = sample(this.rng.work, this.config.devices.task);
    this.jobs.push({ index, id, submitter, submitted: now, deadline: now + p.deadlineMs, work, correct, correctHex: bytesToHex(correct), holders: new Map(), committed: new Map(), claimants: new Set(), free: [], freeSince: now, waveAt: undefined, touchedIn: 0, outcome: "open" });
    this.jobByEntry.set(id, index);
    this.tally.submitted++;
    if (this.farm && this.tally.submitted % FARM_EVERY === 0) this.farm.submit(now, p.reward, p.deadlineMs);
    this.unresolved++;
    this.queue.after(p.deadlineMs + this.recheckAfterMs, { type: "recheck", job: index });
    if (this.tally.submitted < this.config.jobs) this.queue.at(now + arrivalGap(this.config, this.rng.arrivals), { type: "submit" });
  }

  private fold(): void {
    const batch = this.ledger.advance(this.queue.now - this.ledger.horizonMs);
    for (const index of this.touched(batch)) this.reconcile(this.jobs[index]!);
    if (this.awaitingSeed.size > 0 && this.queue.now - this.lastCheckpoint >= CHECKPOINT_MS) this.checkpoint();
    this.farm?.tick(this.queue.now);
    this.newcomers?.tick(this.ledger.state, this.queue.now);
    if (this.config.adversaries.reentry) this.reenter();
    this.reopenRevoked();
    if (this.queue.now - this.rankedAt >= RANK_REFRESH_MS) {
      this.rankedAt = this.queue.now;
      const view = this.queue.now - this.ledger.horizonMs;
      // Every job in the state is one the engine submitted, unless a Sybil farm submits its own.
      const jobs = this.farm ? undefined : this.jobByEntry.keys();
      this.board.rank(weightedCompetitors(this.ledger.state, activeRunners(this.ledger.state, view, this.ledger.root, jobs), view));
    }
    this.queue.after(FOLD_TICK_MS, { type: "fold" });
  }

  /** The root checkpoints what it folded; the draws it makes open spot replicas and reveals. */
  private checkpoint(): void {
    if (!this.ledger.checkpoint(this.queue.now - this.ledger.horizonMs)) return;
    this.lastCheckpoint = this.queue.now;
    const waiting = [...this.awaitingSeed].sort((a, b) => a - b);
    this.awaitingSeed.clear();
    for (const index of waiting) this.reconcile(this.jobs[index]!);
  }

  /** After new strikes, single runs the fold revoked go back to work (at k = 3, without the liar). */
  private reopenRevoked(): void {
    if (this.singles.size === 0 && !this.config.adversaries.reentry) return;
    // The tally counts this epoch's strikes: epoch and count together change whenever a strike lands.
    const params = this.ledger.state.params;
    const strikes = params ? params.epoch * 1_000_000_000 + params.tally.strikes : 0;
    if (strikes === this.strikesSeen) return;
    this.strikesSeen = strikes;
    for (const index of [...this.singles].sort((a, b) => a - b)) {
      const job = this.jobs[index]!;
      const state = this.ledger.state.jobs[job.id];
      if (state?.status !== "open") continue;
      this.singles.delete(index);
      job.outcome = "open";
      job.deadline = state.deadline;
      for (const node of job.committed.keys()) this.nodes[node]!.awaiting.delete(index);
      job.committed.clear();
      job.holders.clear();
      this.unresolved++;
      this.queue.at(state.deadline + this.recheckAfterMs, { type: "recheck", job: index });
      this.reconcile(job);
    }
  }

  /**
   * Suspended dishonest identities come back as new members (whitewashing, --reentry): invited
   * again by the root, or in an open pool as strangers with a stamp (probation, the join cap). With
   * --reentry-every N, one identity per N jobs the pool received.
   */
  private reenter(): void {
    const every = this.config.adversaries.reentryEvery;
    for (const node of this.nodes) {
      if (ROLES[node.role].honest || this.ledger.state.standing[node.did]?.suspended === undefined) continue;
      if (every > 0 && this.tally.submitted < this.nextReentry) return;
      this.nextReentry = this.tally.submitted + every;
      this.dropAttempt(node);
      node.awaiting.clear();
      node.did = simulatedDid(this.rng.work.bytes(32));
      this.reentered.push(node.did);
      if (this.config.pool.open) {
        this.ledger.joinStranger(node.did, this.queue.now);
        this.board.busy(node);
        node.online = false;
        this.queue.at(this.queue.now + this.recheckAfterMs, { type: "online", node: node.index });
      } else this.ledger.join(node.did, this.queue.now);
      this.tally.reentries++;
    }
  }

  /** The auditor re-runs a job whose audit is pending (an honest oracle: the true output wins). */
  private audit(job: SimJob): void {
    if (!this.auditor || job.audited) return;
    job.audited = true;
    this.ledger.write(this.auditor, "audit.result", { job: job.id, output: job.correct }, this.queue.now, { reliable: true });
    this.queue.after(this.recheckAfterMs, { type: "recheck", job: job.index });
  }

  private touched(batch: readonly SignedEntry[]): number[] {
    const jobs: number[] = [];
    const tick = ++this.ticks;
    for (const { id, entry } of batch) {
      const index = this.jobByEntry.get(entry.kind === "job.submit" ? id : (entry.body.job as EntryId));
      if (index === undefined || this.jobs[index]!.touchedIn === tick) continue;
      this.jobs[index]!.touchedIn = tick;
      jobs.push(index);
    }
    return jobs.sort((a, b) => a - b);
  }

  /** Brings the simulator's view of a job in line with the fold: outcome, lost commits, reveals, free replicas. */
  private reconcile(job: SimJob): void {
    const state = this.ledger.state.jobs[job.id];
    if (state?.audit?.status === "pending") this.audit(job);
    if (job.outcome !== "open") return this.judged(job, state);
    // The fold's own view (its last tick), not now - H: an entry stamped since then is not lost, only not folded yet.
    const view = this.ledger.foldedThrough;
    if (!state) {
      // The fold refused the submission (a simulator bug if it happens: counted, never hidden).
      if (view >= job.submitted && this.ledger.rejectionOf(job.id)) this.resolve(job, undefined);
      return;
    }
    if (state.status !== "open" || view > job.deadline) return this.resolve(job, state);
    this.dropLostClaims(job, state, view);
    this.dropLostCommits(job, state, view);
    if (state.seedAfter !== undefined) this.awaitingSeed.add(job.index);
    // The replicas with a commit in the fold, in one pass over the commits (a job has a handful).
    const committed: number[] = [];
    for (const worker in state.commits) committed.push(state.commits[worker]!.replica);
    if (committed.length >= state.replicas) for (const [index] of job.committed) this.revealIfOpen(this.nodes[index]!, job);
    this.board.trim(job, state.replicas);
    for (let replica = 0; replica < state.replicas; replica++) {
      const claim = state.claims[replica];
      if (committed.includes(replica) || job.holders.has(replica) || (claim && claim.until >= view)) continue;
      this.board.open(job, replica, Math.max(job.submitted, claim?.until ?? 0));
    }
    this.board.offer(job);
  }

  /**
   * A replica still running whose claim the fold did not grant (refused, lost, displaced in a
   * contest, or retaken after the lease ran out): the worker stops, as the real worker does when
   * its lease check finds the replica under another name.
   */
  private dropLostClaims(job: SimJob, state: JobState, view: number): void {
    // A holder dropped here may claim again at once, a replica of this job too: the loop then
    // meets that claim as well and skips it (written after the view).
    for (const [replica, index] of job.holders) {
      const node = this.nodes[index]!;
      const attempt = node.attempt;
      if (attempt?.job !== job.index || attempt.replica !== replica || attempt.claimedAt > view) continue;
      if (state.claims[replica]?.worker === node.did || state.commits[node.did] !== undefined) continue;
      this.dropAttempt(node);
      this.tally.lostClaims++;
      this.makeIdle(node);
    }
  }

  /** A commit the fold has not taken although it was written before the view: lost or refused. */
  private dropLostCommits(job: SimJob, state: JobState, view: number): void {
    for (const [index, commitment] of job.committed) {
      const node = this.nodes[index]!;
      if (state.commits[node.did] !== undefined || commitment.at > view) continue;
      job.committed.delete(index);
      node.awaiting.delete(job.index);
      if (job.holders.get(commitment.replica) === index) job.holders.delete(commitment.replica);
      this.tally.lostCommits++;
    }
  }

  private revealIfOpen(node: SimNode, job: SimJob): void {
    const commitment = job.committed.get(node.index);
    const state = this.ledger.state.jobs[job.id];
    if (!commitment || !node.online || !state || job.outcome !== "open" || state.reveals[node.did] !== undefined) return;
    // Written and not in the view yet: still travelling (or lost, then re-sent once the view passes it).
    if (commitment.revealedAt !== undefined && commitment.revealedAt > this.queue.now - this.ledger.horizonMs) return;
    if (!state.commits[node.did] || Object.keys(state.commits).length < state.replicas || state.seedAfter !== undefined) return;
    commitment.revealedAt = this.queue.now;
    this.ledger.write(node.did, "result.reveal", { job: job.id, salt: commitment.salt, output: commitment.output }, this.queue.now);
    this.queue.after(this.recheckAfterMs, { type: "recheck", job: job.index });
  }

  /** A settled job's verdict may still change (an audit overturns it): the final outcome follows the fold. */
  private judged(job: SimJob, state: JobState | undefined): void {
    if (state?.status === "done" && (job.outcome === "right" || job.outcome === "wrong")) job.outcome = state.verdict!.output === job.correctHex ? "right" : "wrong";
  }

  private resolve(job: SimJob, state: JobState | undefined): void {
    this.board.close(job);
    for (const index of job.committed.keys()) this.nodes[index]!.awaiting.delete(job.index);
    // Nothing reads a settled job's commitments or holders again (a reopened single starts afresh):
    // dropped, so 100,000 settled jobs do not keep their salts and outputs alive.
    job.committed.clear();
    job.holders.clear();
    this.unresolved--;
    if (state?.status === "done") {
      job.outcome = state.verdict!.output === job.correctHex ? "right" : "wrong";
      job.firstOutcome ??= job.outcome;
      job.verdictAt ??= state.verdict!.time;
      if (state.verdict!.single) this.singles.add(job.index);
    } else job.outcome = state === undefined ? "refused" : state.status === "failed" ? "failed" : "expired";
  }
}
