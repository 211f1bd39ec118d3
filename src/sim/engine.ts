/**
 * The discrete-event simulation: jobs arrive, members (members.ts) come and go, claim replicas,
 * run them, commit and reveal through the simulated ledger, and the real fold decides claims,
 * leases, verdicts, credits and reputation. The engine runs the clock, folds each tick and reacts
 * to what the fold decided (a job settled, a replica freed, reveals opened) exactly as a worker
 * reading the ledger would, with the view H behind the clock.
 */
import { bytesToHex } from "../core/crypto/index.ts";
import { activeRunners, defaultStaggerMs, weightedCompetitors } from "../core/jobs/replicas.ts";
import type { JobState } from "../core/ledger/state.ts";
import type { EntryId, SignedEntry } from "../core/ledger/types.ts";
import type { Did } from "../core/identity/did-key.ts";
import { AVAILABILITY, ROLES, STRATEGIES } from "./behaviour.ts";
import { Board } from "./board.ts";
import { EventQueue } from "./clock.ts";
import type { SimConfig } from "./config.ts";
import { Members } from "./members.ts";
import { Rng, sample } from "./random.ts";
import { ArrivalClock, type Tally, newTally } from "./tally.ts";
import { closeRecords, closeReplicas, correctOutput, createWorld, FIRST_JOB_TIME, reopenReplicas, simulatedDid, START_TIME, type SimEvent, type SimJob, type SimNode } from "./world.ts";
import type { SimLedger } from "./ledger.ts";
import { NewcomerWatch, SybilFarm, type FarmFigures, type NewcomerFigures } from "./open-pool.ts";
import { SingleRuns } from "./single-runs.ts";

const FOLD_TICK_MS = 1_000;
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
  private readonly members: Members;
  private readonly jobByEntry = new Map<EntryId, number>();
  /**
   * The jobs the fold may hold open: what activeRunners walks each RANK_REFRESH_MS, instead of
   * every job of the run. A job leaves once the fold settled it (done or failed) and comes back if
   * the fold reopens it (a revoked single run, reopenRevoked).
   */
  private readonly inPlay = new Set<EntryId>();
  /** Fold ticks so far: `touched` lists a job once per tick. */
  private ticks = 0;
  private readonly rng: { arrivals: Rng; work: Rng };
  private readonly arrivals: ArrivalClock;
  /** The pool's auditor (an honest oracle with job/audit) when the run has incentives. */
  private readonly auditor: Did | undefined;
  /** Jobs whose single-run commit waits for a checkpoint (the spot-check draw). */
  private readonly awaitingSeed = new Set<number>();
  private lastCheckpoint = START_TIME;
  private unresolved = 0;
  private rankedAt = -Infinity;
  /** After this long the fold has taken everything stamped before (the horizon, and a tick to fold it). */
  private readonly recheckAfterMs: number;
  private readonly leaseMs: number;

  /** Jobs settled by one worker alone: a strike against it may reopen them (revocation). */
  private readonly singles = new SingleRuns();
  private strikesSeen = 0;
  /** Members whose suspension the engine has acted on (releaseSuspended). */
  private readonly suspendedSeen = new Set<Did>();
  /** The pool's submission count from which the next caught identity may re-enter (--reentry-every). */
  private nextReentry = 0;
  /** Every identity a caught member re-entered with. */
  private readonly reentered: Did[] = [];
  /** The members that may re-enter (a role is for the whole run): --reentry looks at them every tick. */
  private readonly dishonest: readonly SimNode[];
  private readonly farm: SybilFarm | undefined;
  private readonly newcomers: NewcomerWatch | undefined;

  constructor(readonly config: SimConfig) {
    const root = new Rng(config.seed);
    const world = createWorld(config, root.fork());
    this.ledger = world.ledger;
    this.nodes = world.nodes;
    this.dishonest = this.nodes.filter((node) => !ROLES[node.role].honest);
    const [arrivals, churn, work, answers] = [root.fork(), root.fork(), root.fork(), root.fork()];
    this.rng = { arrivals, work };
    this.arrivals = new ArrivalClock(config, arrivals, FIRST_JOB_TIME);
    const leaseMs = config.pool.leaseSeconds * 1000;
    this.leaseMs = leaseMs;
    this.recheckAfterMs = this.ledger.horizonMs + FOLD_TICK_MS + 1;
    // A job's next wave is mostly one stagger after the last.
    this.queue.keepLane(defaultStaggerMs(leaseMs));
    this.board = new Board(this.jobs, this.nodes, defaultStaggerMs(leaseMs), {
      now: () => this.queue.now,
      claim: (node, job, replica) => this.members.claim(node, job, replica),
      wakeAt: (time, target) => this.members.wakeAt(time, target),
      state: () => this.ledger.state,
    });
    const strategy = STRATEGIES[config.strategy];
    if (!strategy) throw new RangeError(`unknown strategy ${config.strategy}`);
    const availability = AVAILABILITY[config.availabilityModel];
    if (!availability) throw new RangeError(`unknown availability model ${config.availabilityModel}`);
    const { queue, ledger, nodes, jobs, tally, recheckAfterMs, board } = this;
    this.members = new Members({ queue, ledger, config, nodes, jobs, tally, rng: { churn, answers }, strategy, availability, leaseMs, recheckAfterMs, board });
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
    for (const node of this.nodes) this.members.start(node);
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
        return this.members.goOnline(this.nodes[e.node]!);
      case "offline":
        return this.members.goOffline(this.nodes[e.node]!);
      case "window":
        return this.members.window(this.nodes[e.node]!, e.open);
      case "finish":
        return this.members.finish(this.nodes[e.node]!, e.token);
      case "renew":
        return this.members.renew(this.nodes[e.node]!, e.token);
      case "abandon":
        return this.members.abandon(this.nodes[e.node]!, e.token);
      case "recheck":
        return this.reconcile(this.jobs[e.job]!);
      case "lastLease":
        return this.lastLease(this.jobs[e.job]!);
      case "wake":
        return this.members.wake(this.nodes[e.node]!);
      case "wave":
        return this.members.wave(this.jobs[e.job]!);
    }
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
    const correctHex = bytesToHex(this.rng.work.bytes(32));
    const work = sample(this.rng.work, this.config.devices.task);
    this.jobs.push({ index, id, submitter, submitted: now, deadline: now + p.deadlineMs, work, correctHex, holders: new Map(), committed: new Map(), claimants: new Set(), free: [], freeSince: now, waveAt: undefined, touchedIn: 0, outcome: "open" });
    this.jobByEntry.set(id, index);
    this.inPlay.add(id);
    this.tally.submitted++;
    if (this.farm && this.tally.submitted % FARM_EVERY === 0) this.farm.submit(now, p.reward, p.deadlineMs);
    this.unresolved++;
    this.queue.after(Math.max(0, p.deadlineMs - this.leaseMs), { type: "lastLease", job: index });
    if (this.tally.submitted < this.config.jobs) this.queue.at(this.arrivals.next(), { type: "submit" });
  }

  private fold(): void {
    const batch = this.ledger.advance(this.queue.now - this.ledger.horizonMs);
    for (const index of this.touched(batch)) this.reconcile(this.jobs[index]!);
    // While single runs wait for their spot-check draw the root checkpoints once a lease: the real
    // default policy (checkpoint-policy.ts) writes one every 2 minutes in a busy pool, 0.4 of its
    // 5-minute lease. Every 60 s here (6 leases) made a single run's verdict wait 30 s more than the
    // pool's, and the median of row 5 at 10,000 x 100,000 25.2 s instead of 21.1 (row 7: 16.7).
    if (this.awaitingSeed.size > 0 && this.queue.now - this.lastCheckpoint >= this.leaseMs) this.checkpoint();
    this.farm?.tick(this.queue.now);
    this.newcomers?.tick(this.ledger.state, this.queue.now);
    if (this.config.adversaries.reentry) this.reenter();
    this.afterStrikes();
    if (this.queue.now - this.rankedAt >= RANK_REFRESH_MS) {
      this.rankedAt = this.queue.now;
      for (const index of this.singles.vested(this.ledger.state, (job) => this.jobs[job]!.id)) closeRecords(this.jobs[index]!);
      const view = this.queue.now - this.ledger.horizonMs;
      // Every job in the state is one the engine submitted, unless a Sybil farm submits its own.
      const jobs = this.farm ? undefined : this.jobsInPlay();
      this.board.rank(weightedCompetitors(this.ledger.state, activeRunners(this.ledger.state, view, this.ledger.root, jobs), view));
    }
    this.queue.after(FOLD_TICK_MS, { type: "fold" });
  }

  /** The jobs the fold may hold open, after dropping those it settled since the last call (or refused, or no longer holds). */
  private jobsInPlay(): ReadonlySet<EntryId> {
    const folded = this.ledger.state.jobs;
    for (const id of this.inPlay) {
      const state = folded[id];
      if (state ? state.status !== "open" : this.jobs[this.jobByEntry.get(id)!]!.outcome !== "open") this.inPlay.delete(id);
    }
    return this.inPlay;
  }

  /** The root checkpoints what it folded; the draws it makes open spot replicas and reveals. */
  private checkpoint(): void {
    if (!this.ledger.checkpoint(this.queue.now - this.ledger.horizonMs)) return;
    this.lastCheckpoint = this.queue.now;
    const waiting = [...this.awaitingSeed].sort((a, b) => a - b);
    this.awaitingSeed.clear();
    for (const index of waiting) this.reconcile(this.jobs[index]!);
  }

  /** What a strike lands on: members the fold suspended drop their work, revoked single runs reopen. */
  private afterStrikes(): void {
    // The tally counts this epoch's strikes: epoch and count together change whenever a strike lands.
    const params = this.ledger.state.params;
    const strikes = params ? params.epoch * 1_000_000_000 + params.tally.strikes : 0;
    if (strikes === this.strikesSeen) return;
    this.strikesSeen = strikes;
    this.releaseSuspended();
    this.reopenRevoked();
  }

  /**
   * The fold releases a suspended member's claims and unrevealed commits (ledger/standing.ts
   * releaseOpenWork) from an entry about another job: those jobs are not in the batch, so they are
   * reconciled here, as a worker reading the ledger sees the replicas free. Without this an adaptive
   * job whose first replica was released waited for its deadline (its other replicas wait for the
   * first one's; 81 of 8,000 jobs at 2,000 members, row 3, seed 1).
   */
  private releaseSuspended(): void {
    const standing = this.ledger.state.standing;
    const jobs = new Set<number>();
    for (const node of this.nodes) {
      if (this.suspendedSeen.has(node.did) || standing[node.did]?.suspended === undefined) continue;
      this.suspendedSeen.add(node.did);
      for (const index of node.awaiting) jobs.add(index);
      if (node.attempt) jobs.add(node.attempt.job);
    }
    for (const index of [...jobs].sort((a, b) => a - b)) this.reconcile(this.jobs[index]!);
  }

  /** After new strikes, single runs the fold revoked go back to work (at k = 3, without the liar). */
  private reopenRevoked(): void {
    for (const index of this.singles.struck(this.ledger.state)) {
      const job = this.jobs[index]!;
      const state = this.ledger.state.jobs[job.id];
      if (state?.status !== "open") continue;
      this.singles.delete(index);
      this.inPlay.add(job.id);
      job.outcome = "open";
      job.deadline = state.deadline;
      for (const node of job.committed.keys()) this.nodes[node]!.awaiting.delete(index);
      reopenReplicas(job);
      this.unresolved++;
      this.queue.at(Math.max(this.queue.now, state.deadline - this.leaseMs), { type: "lastLease", job: index });
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
    for (const node of this.dishonest) {
      if (this.ledger.state.standing[node.did]?.suspended === undefined) continue;
      if (every > 0 && this.tally.submitted < this.nextReentry) return;
      this.nextReentry = this.tally.submitted + every;
      this.members.dropAttempt(node);
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
    this.ledger.write(this.auditor, "audit.result", { job: job.id, output: correctOutput(job) }, this.queue.now, { reliable: true });
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

  /**
   * A job's last lease before its deadline: its committed workers reveal whatever the other
   * replicas did (revealOpen's deadline clause), and it is judged once its deadline has passed.
   */
  private lastLease(job: SimJob): void {
    this.reconcile(job);
    if (job.outcome === "open") this.queue.at(job.deadline + this.recheckAfterMs, { type: "recheck", job: job.index });
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
    // The replicas with a commit in the fold, as bits (at most 15 replicas), in one pass over the commits: no array per reconcile.
    let committed = 0;
    let commits = 0;
    for (const worker in state.commits) {
      committed |= 1 << state.commits[worker]!.replica;
      commits++;
    }
    for (const index of job.committed.keys()) this.members.revealIfOpen(this.nodes[index]!, job);
    this.board.trim(job, state.replicas);
    for (let replica = 0; replica < state.replicas; replica++) {
      const claim = state.claims[replica];
      if ((committed & (1 << replica)) !== 0 || job.holders.has(replica) || (claim && claim.until >= view)) continue;
      this.board.open(job, replica, Math.max(job.submitted, claim?.until ?? 0));
    }
    this.board.refolded(job);
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
      this.members.dropAttempt(node);
      this.tally.lostClaims++;
      this.members.makeIdle(node);
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

  /** A settled job's verdict may still change (an audit overturns it): the final outcome follows the fold. */
  private judged(job: SimJob, state: JobState | undefined): void {
    if (state?.status === "done" && (job.outcome === "right" || job.outcome === "wrong")) job.outcome = state.verdict!.output === job.correctHex ? "right" : "wrong";
  }

  private resolve(job: SimJob, state: JobState | undefined): void {
    this.board.close(job);
    for (const index of job.committed.keys()) this.nodes[index]!.awaiting.delete(job.index);
    this.unresolved--;
    if (state?.status === "done") {
      job.outcome = state.verdict!.output === job.correctHex ? "right" : "wrong";
      job.firstOutcome ??= job.outcome;
      job.verdictAt ??= state.verdict!.time;
      if (state.verdict!.single) this.singles.add(job.index, state.single, this.ledger.state);
    } else job.outcome = state === undefined ? "refused" : state.status === "failed" ? "failed" : "expired";
    // Nothing reads a settled job's commitments or holders again (a reopened single starts afresh):
    // dropped, so 100,000 settled jobs do not keep their salts and outputs alive. Only a single run
    // can reopen (revocation), and it keeps its claimants (they may not claim it again).
    if (this.singles.has(job.index)) closeReplicas(job);
    else closeRecords(job);
  }
}
