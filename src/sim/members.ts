/**
 * What a simulated member does with its device: comes online and goes offline (churn), pauses
 * outside its battery window, claims a replica the board gives it, runs it (renewing the lease at
 * half time), commits its output and reveals it once the fold opens reveals. Each step writes the
 * entry a real worker would; the fold, read back by the engine, decides whether it held.
 */
import { trusted } from "../core/ledger/trust.ts";
import { revealOpen, revealsWithCommit, yieldsReveal } from "../core/jobs/replicas.ts";
import { resultCommitment } from "../core/ledger/writer.ts";
import { ROLES, type Availability, type Answer, type Strategy } from "./behaviour.ts";
import type { Board } from "./board.ts";
import type { EventQueue } from "./clock.ts";
import type { SimConfig } from "./config.ts";
import type { SimLedger } from "./ledger.ts";
import type { Rng } from "./random.ts";
import type { Tally } from "./tally.ts";
import { correctOutput, DAY_MS, START_TIME, type Commitment, type SimEvent, type SimJob, type SimNode } from "./world.ts";

/** What the members share with the engine: the clock, the ledger, the world and its counters. */
export interface MemberWorld {
  readonly queue: EventQueue<SimEvent>;
  readonly ledger: SimLedger;
  readonly config: SimConfig;
  readonly nodes: readonly SimNode[];
  readonly jobs: readonly SimJob[];
  readonly tally: Tally;
  readonly rng: { readonly churn: Rng; readonly answers: Rng };
  readonly strategy: Strategy;
  readonly availability: Availability;
  readonly leaseMs: number;
  /** After this long the fold has taken everything stamped before (the horizon, and a tick to fold it). */
  readonly recheckAfterMs: number;
  readonly board: Board;
}

export class Members {
  private tokens = 0;
  /** A coordinated group's recent jobs with open replicas: its identities try to fill those first. */
  private readonly groupJobs = new Map<number, number[]>();
  private readonly board: Board;

  constructor(private readonly world: MemberWorld) {
    this.board = world.board;
  }

  private get now(): number {
    return this.world.queue.now;
  }

  start(node: SimNode): void {
    const { queue, config, availability, rng } = this.world;
    if (node.window !== undefined) {
      const into = (START_TIME + DAY_MS - node.window) % DAY_MS;
      const open = into < config.devices.windowHours * 3_600_000;
      node.paused = !open;
      queue.at(START_TIME + (open ? config.devices.windowHours * 3_600_000 - into : DAY_MS - into), { type: "window", node: node.index, open: !open });
    }
    if (availability.startsOnline(node.role, rng.churn, config)) this.goOnline(node);
    else queue.at(START_TIME + availability.gapMs(node.role, rng.churn, config), { type: "online", node: node.index });
  }

  goOnline(node: SimNode): void {
    const { queue, config, availability, rng, jobs } = this.world;
    const admittedAt = this.admission(node);
    if (admittedAt > this.now) return queue.at(admittedAt, { type: "online", node: node.index });
    node.online = true;
    const session = availability.sessionMs(node.role, rng.churn, config);
    if (Number.isFinite(session)) queue.at(this.now + session, { type: "offline", node: node.index });
    for (const job of [...node.awaiting]) this.revealIfOpen(node, jobs[job]!);
    this.makeIdle(node);
  }

  /**
   * When a stranger of an open pool may start: once the fold has its join and its admission time
   * (the join cap may queue it to a later epoch) has come. Invited members: at once.
   */
  private admission(node: SimNode): number {
    if (!node.stranger) return -Infinity;
    const member = this.world.ledger.state.members[node.did];
    return member ? member.since : this.now + this.world.recheckAfterMs;
  }

  goOffline(node: SimNode): void {
    const { queue, config, availability, rng } = this.world;
    node.online = false;
    this.board.busy(node);
    this.dropAttempt(node);
    queue.at(this.now + availability.gapMs(node.role, rng.churn, config), { type: "online", node: node.index });
  }

  /** A battery device's daily window opens (computing resumes) or closes (it pauses, keeping its task). */
  window(node: SimNode, open: boolean): void {
    const hours = this.world.config.devices.windowHours * 3_600_000;
    this.world.queue.at(this.now + (open ? hours : DAY_MS - hours), { type: "window", node: node.index, open: !open });
    node.paused = !open;
    if (!open) this.board.busy(node);
    const attempt = node.attempt;
    if (!open && attempt?.runningSince !== undefined) {
      attempt.remaining -= this.now - attempt.runningSince;
      attempt.runningSince = undefined;
    }
    if (open && attempt && attempt.runningSince === undefined) this.resumeAttempt(node);
    if (open) this.makeIdle(node);
  }

  makeIdle(node: SimNode): void {
    if (!node.online || node.paused || node.attempt || !ROLES[node.role].works) return;
    this.board.idle(node, ROLES[node.role].coordinated ? this.groupJobs.get(node.group) : undefined);
  }

  /** One look-again per node at a time: the earliest one asked for. */
  wakeAt(time: number, target: { node: SimNode } | { job: SimJob }): void {
    const at = Math.max(this.now + 1, time);
    if ("job" in target) {
      const { job } = target;
      if (job.waveAt !== undefined && job.waveAt <= at) return;
      job.waveAt = at;
      return this.world.queue.at(at, { type: "wave", job: job.index });
    }
    const { node } = target;
    if (node.wakeAt !== undefined && node.wakeAt <= at) return;
    node.wakeAt = at;
    this.world.queue.at(at, { type: "wake", node: node.index });
  }

  wake(node: SimNode): void {
    if (node.wakeAt !== this.now) return;
    node.wakeAt = undefined;
    if (node.idle) this.makeIdle(node);
  }

  wave(job: SimJob): void {
    if (job.waveAt !== this.now) return;
    job.waveAt = undefined;
    this.board.offer(job);
  }

  claim(node: SimNode, job: SimJob, replica: number): void {
    const { queue, ledger, jobs, leaseMs, recheckAfterMs } = this.world;
    const now = this.now;
    job.holders.set(replica, node.index);
    job.claimants.add(node.did);
    ledger.write(node.did, "job.claim", { job: job.id, replica }, now);
    const rule = ROLES[node.role];
    const token = ++this.tokens;
    const remaining = rule.computes ? Math.max(1, Math.round(job.work / node.speed)) : 1_000;
    node.attempt = { token, job: job.index, replica, claimedAt: now, remaining, runningSince: undefined, finishAt: 0, leaseUntil: now + leaseMs };
    if (!rule.finishes) queue.after(leaseMs, { type: "abandon", node: node.index, token });
    else this.resumeAttempt(node);
    if (rule.coordinated) this.groupJobs.set(node.group, [job.index, ...(this.groupJobs.get(node.group) ?? []).filter((j) => jobs[j]!.free.length > 0).slice(0, 7)]);
    queue.after(leaseMs + recheckAfterMs, { type: "recheck", job: job.index });
  }

  private resumeAttempt(node: SimNode): void {
    const { queue, leaseMs } = this.world;
    const attempt = node.attempt!;
    attempt.runningSince = this.now;
    attempt.finishAt = this.now + attempt.remaining;
    queue.at(attempt.finishAt, { type: "finish", node: node.index, token: attempt.token });
    if (attempt.remaining > leaseMs / 2) queue.at(Math.min(attempt.finishAt, attempt.leaseUntil - leaseMs / 2), { type: "renew", node: node.index, token: attempt.token });
  }

  /** Renews the lease of a task still running at half time (the real worker does the same). */
  renew(node: SimNode, token: number): void {
    const { queue, ledger, jobs, leaseMs, recheckAfterMs } = this.world;
    const attempt = node.attempt;
    if (!attempt || attempt.token !== token || attempt.runningSince === undefined || attempt.finishAt <= this.now) return;
    const job = jobs[attempt.job]!;
    if (job.outcome !== "open") return;
    ledger.write(node.did, "job.claim", { job: job.id, replica: attempt.replica }, this.now);
    attempt.leaseUntil = this.now + leaseMs;
    queue.at(Math.min(attempt.finishAt, this.now + leaseMs / 2), { type: "renew", node: node.index, token });
    queue.after(leaseMs + recheckAfterMs, { type: "recheck", job: job.index });
  }

  /** A claimer's lease ran out: it moves on to claim something else. */
  abandon(node: SimNode, token: number): void {
    if (node.attempt?.token !== token) return;
    this.dropAttempt(node);
    this.makeIdle(node);
  }

  /** The node stops working on its replica (it left, or gave up); the lease will lapse in the fold. */
  dropAttempt(node: SimNode): void {
    const attempt = node.attempt;
    if (!attempt) return;
    node.attempt = undefined;
    const job = this.world.jobs[attempt.job]!;
    if (job.holders.get(attempt.replica) === node.index) job.holders.delete(attempt.replica);
    if (ROLES[node.role].computes) {
      const ran = attempt.runningSince === undefined ? 0 : this.now - attempt.runningSince;
      this.world.tally.abortedMs += ran + (Math.round(job.work / node.speed) - attempt.remaining);
    }
  }

  finish(node: SimNode, token: number): void {
    const { jobs, tally } = this.world;
    const attempt = node.attempt;
    if (!attempt || attempt.token !== token || attempt.finishAt !== this.now || attempt.runningSince === undefined) return;
    node.attempt = undefined;
    const job = jobs[attempt.job]!;
    if (ROLES[node.role].computes) {
      tally.executions++;
      tally.computeMs += Math.round(job.work / node.speed);
    }
    if (job.outcome === "open" && job.holders.get(attempt.replica) === node.index) this.commit(node, job, attempt.replica, attempt.leaseUntil);
    else tally.lateResults++;
    this.makeIdle(node);
  }

  private commit(node: SimNode, job: SimJob, replica: number, leaseUntil: number): void {
    const { ledger, rng } = this.world;
    const now = this.now;
    // The lease ran out while the device was paused: take the replica again (the fold decides).
    if (now > leaseUntil) ledger.write(node.did, "job.claim", { job: job.id, replica }, now);
    const output = this.outputOf(node, job);
    const salt = rng.answers.bytes(16);
    ledger.write(node.did, "result.commit", { job: job.id, replica, commitment: resultCommitment(salt, output) }, now);
    const commitment: Commitment = { replica, salt, output, at: now, revealedAt: undefined };
    job.committed.set(node.index, commitment);
    node.awaiting.add(job.index);
    // The real worker's reveal rides with the last commit the job waits for (same author and time: it folds after the commit).
    const state = ledger.state.jobs[job.id];
    if (state && revealsWithCommit(state)) this.reveal(node, job, commitment);
  }

  private outputOf(node: SimNode, job: SimJob): Uint8Array {
    const { ledger, nodes, strategy, rng, config } = this.world;
    let holders = 0;
    for (const other of job.holders.values()) if (other !== node.index && nodes[other]!.group === node.group && node.group >= 0) holders++;
    const state = ledger.state;
    const alone = state.jobs[job.id]?.single === node.did;
    const answer: Answer = strategy.answer({ role: node.role, rng: rng.answers, config, groupHolders: holders, replicas: job.free.length + job.holders.size, alone, trusted: trusted(state, node.did) });
    const wrong = correctOutput(job);
    if (answer === "correct") return wrong;
    wrong[0] = wrong[0]! ^ 0xff;
    const tag = answer === "group" ? node.group : 1_000_000 + node.index;
    for (let i = 0; i < 4; i++) wrong[1 + i] = wrong[1 + i]! ^ ((tag >>> (8 * i)) & 0xff);
    return wrong;
  }

  /**
   * Reveals the node's output for `job` when the real worker would (replicas.ts revealOpen and
   * yieldsReveal, the same functions): every replica committed with no spot draw pending, or the
   * job opened and exposed, or the deadline within a lease; a commit that earns nothing holds its
   * reveal for at most a lease while an earning commit is unrevealed.
   */
  revealIfOpen(node: SimNode, job: SimJob): void {
    const { queue, ledger, leaseMs } = this.world;
    const now = this.now;
    const commitment = job.committed.get(node.index);
    const state = ledger.state.jobs[job.id];
    if (!commitment || !node.online || !state || job.outcome !== "open" || state.reveals[node.did] !== undefined) return;
    // Written and not in the view yet: still travelling (or lost, then re-sent once the view passes it).
    if (commitment.revealedAt !== undefined && commitment.revealedAt > now - ledger.horizonMs) return;
    if (!state.commits[node.did] || !revealOpen(state, now, leaseMs)) return;
    if (yieldsReveal(state, node.did)) {
      if (commitment.yieldUntil === undefined) {
        commitment.yieldUntil = now + leaseMs;
        queue.after(leaseMs, { type: "recheck", job: job.index });
      }
      if (now < commitment.yieldUntil) return;
    }
    this.reveal(node, job, commitment);
  }

  private reveal(node: SimNode, job: SimJob, commitment: Commitment): void {
    const { queue, ledger, recheckAfterMs } = this.world;
    commitment.revealedAt = this.now;
    ledger.write(node.did, "result.reveal", { job: job.id, salt: commitment.salt, output: commitment.output }, this.now);
    queue.after(recheckAfterMs, { type: "recheck", job: job.index });
  }
}
