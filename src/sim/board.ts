/**
 * Who works on what: the jobs with open replicas, the idle workers, and the rendezvous order that
 * decides which idle worker claims which replica and when. The order is the real worker's
 * (src/core/jobs/rendezvous.ts through `Competitors`, `claimSlot` and the same wave stagger): a
 * worker of rank r among the competitors for f free replicas takes the (r mod f)-th in wave
 * floor(r / f). The board finds a wave's workers by the order's inverse, so ranking costs O(f)
 * per wave instead of one rank per member. What the real worker learns by syncing, the board knows
 * at once (who holds and committed what); whether a claim holds is still the fold's decision.
 */
import { claimable, claimSlot, leaseMsOf, planReplica, type OpenReplicas } from "../core/jobs/replicas.ts";
import { Competitors, rendezvousKey, type Place, type RendezvousKey } from "../core/jobs/rendezvous.ts";
import type { Did } from "../core/identity/did-key.ts";
import { claimDelayMs } from "../core/ledger/replication.ts";
import { claimRefusal } from "../core/ledger/rules/jobs.ts";
import { isSuspended } from "../core/ledger/standing.ts";
import type { LedgerState } from "../core/ledger/state.ts";
import { ROLES } from "./behaviour.ts";
import { IndexSet } from "./index-set.ts";
import type { SimJob, SimNode } from "./world.ts";

/** How many open jobs a newly idle worker looks at for a claim that is due. */
const SCAN = 32;
/** The most ranks one offer walks (a replica free for many waves is due to most idle workers anyway). */
const OFFER_LIMIT = 64;

export interface Plan {
  readonly replica: number;
  readonly at: number;
}

/** What the board needs from the engine: the clock, claims, wake-ups and each worker's claim delay. */
export interface BoardHost {
  now(): number;
  claim(node: SimNode, job: SimJob, replica: number): void;
  /** Asks to look again at `time`: the node's due claims (`job` undefined) or one job's next wave. */
  wakeAt(time: number, target: { node: SimNode } | { job: SimJob }): void;
  /** The fold's state as the workers see it now. */
  state(): LedgerState;
}

/** A worker's standing among the competitors: the same for every job it plans in one look (the state does not change meanwhile). */
interface Claimer {
  readonly place: Place;
  readonly weightPermille: number;
}

/**
 * A job as the rendezvous reads it: its key, its open replicas and its claimants' places among
 * the competitors, made once per open job (planning runs for dozens of jobs per idle worker; a
 * closure per plan cost ~10% of a run).
 */
class Offer implements OpenReplicas {
  readonly key: RendezvousKey;
  private busyAt: readonly number[] = [];
  private busyCount = -1;
  private rankedBy: Competitors | undefined;
  /** By rank, the position among `rankedBy` that holds it (`rankedPositions`). */
  private readonly positions: number[] = [];

  constructor(private readonly job: SimJob) {
    this.key = rendezvousKey(job.id);
  }

  get free(): readonly number[] {
    return this.job.free;
  }

  get busy(): ReadonlySet<Did> {
    return this.job.claimants;
  }

  /** Every free replica of a simulated job counts its waves from the same time. */
  freeSince(): number {
    return this.job.freeSince;
  }

  /** The claimants' positions among `competitors`; a job's claimants only grow, so the same count is the same set. */
  busyPositions(competitors: Competitors): readonly number[] {
    if (competitors !== this.rankedBy || this.job.claimants.size !== this.busyCount) {
      this.busyAt = competitors.busyPositions(this.job.claimants);
      this.busyCount = this.job.claimants.size;
      this.rankedBy = competitors;
      this.positions.length = 0;
    }
    return this.busyAt;
  }

  /**
   * The competitors' positions holding the job's first `due` ranks (fewer when fewer compete),
   * kept while the competitors and the claimants stay: a job waves every stagger until its
   * deadline, and the same ranks would be inverted again on each wave.
   */
  rankedPositions(competitors: Competitors, due: number): readonly number[] {
    const busyAt = this.busyPositions(competitors);
    while (this.positions.length < due) {
      const position = competitors.positionAt(this.key, this.positions.length, busyAt);
      if (position === undefined) break;
      this.positions.push(position);
    }
    return this.positions;
  }
}

export class Board {
  /** Jobs with open replicas, oldest submitted first, except those parked. */
  private readonly openJobs = new IndexSet();
  /**
   * Jobs with open replicas none of which the fold would let anyone claim now: an undecided
   * adaptive job whose replica 0 was taken, until the fold has the claim (its other replicas
   * open) or the replica is free again. The real worker plans every open job on each look and
   * such a job gives no plan; a look here reads only the first SCAN open jobs, and in a burst
   * of submissions those were mostly these, which hid every claimable job behind them (10,000
   * members: a median of 235 s to a verdict, 22 s without). They come back when the fold
   * changes them (`refolded`) or a replica opens, and make no waves meanwhile.
   */
  private readonly parked = new Set<number>();
  private competitors = new Competitors([]);
  private readonly byDid = new Map<Did, SimNode>();
  /** Each node's DID when the run began: the one `byDid` and so `nodeAt` know it by. */
  private readonly firstDid: readonly Did[];
  /**
   * The idle workers an offer can reach (listed among the competitors by the DID they began with,
   * as `nodeAt` knows them), each with its position there. Most idle workers of a large pool are
   * not listed, and an offer walks up to 64 ranks on every wave of every job with a free replica:
   * ranking the few reachable idle workers instead is far cheaper (same workers, same order).
   */
  private readonly idlers = new Map<SimNode, number>();
  /** The node of each competitor, by its position among them (offers walk positions, not DIDs). */
  private nodeAt: (SimNode | undefined)[] = [];
  /** By job index, while the job is open. */
  private readonly offers: (Offer | undefined)[] = [];
  /**
   * Idle workers that found nothing to plan, with when they looked: they look again once
   * something that could give them a plan happens (`stir`), not every wave.
   */
  private readonly waiting = new Map<SimNode, number>();

  constructor(
    private readonly jobs: SimJob[],
    private readonly nodes: readonly SimNode[],
    private readonly staggerMs: number,
    private readonly host: BoardHost,
  ) {
    for (const node of nodes) this.byDid.set(node.did, node);
    this.firstDid = nodes.map((node) => node.did);
  }

  /** The workers every worker ranks against (activeRunners of the current view, weighted), then a new offer on every open job. */
  rank(competitors: Competitors): void {
    this.competitors = competitors;
    this.nodeAt = Array.from({ length: competitors.size }, (_, position) => this.byDid.get(competitors.at(position)!));
    this.idlers.clear();
    for (const node of this.nodes) if (node.idle) this.reachable(node);
    for (const index of this.openJobs) this.offer(this.jobs[index]!);
    // New ranks, weights and claim delays: a waiting worker's waves may now come before a deadline.
    this.stir();
  }

  /** Opens a replica of a job for claiming; it has been free since `since`. */
  open(job: SimJob, replica: number, since: number): void {
    if (job.free.includes(replica)) return;
    job.freeSince = job.free.length === 0 ? since : Math.min(job.freeSince, since);
    job.free.push(replica);
    job.free.sort((a, b) => a - b);
    this.parked.delete(job.index);
    this.openJobs.add(job.index);
    this.stir();
  }

  /** Closes the open replicas a job no longer has (the fold gave it to one worker alone). */
  trim(job: SimJob, replicas: number): void {
    if (job.free.length === 0 || job.free.at(-1)! < replicas) return;
    job.free = job.free.filter((replica) => replica < replicas);
    if (job.free.length === 0) this.unlist(job);
  }

  /** Closes every open replica of a settled or expired job. */
  close(job: SimJob): void {
    job.free = [];
    this.unlist(job);
    this.offers[job.index] = undefined;
  }

  /**
   * A worker that can compute and has no task: it claims a due replica now, or waits for one. With
   * nothing to plan it waits until something could give it one (`stir`: a replica opens, a job it
   * looked at changes or leaves, the competitors change), then looks again at its next poll, as
   * the real worker polls the ledger while it idles: offers reach only the first ranks of the
   * listed competitors, so a worker that went idle before any job was open, or that nobody lists
   * (it has not worked today), would otherwise wait for ever.
   */
  idle(node: SimNode, preferred: readonly number[] = []): void {
    node.idle = true;
    this.waiting.delete(node);
    this.reachable(node);
    const found = this.find(node, preferred);
    if (found.job) this.take(node, found.job, found.replica);
    else if (found.wakeAt !== undefined) this.host.wakeAt(found.wakeAt, { node });
    else this.waiting.set(node, this.host.now());
  }

  /** The worker went offline or paused. */
  busy(node: SimNode): void {
    node.idle = false;
    this.idlers.delete(node);
    this.waiting.delete(node);
  }

  /**
   * The fold changed the job (claims, commits, its adaptive decision): idle workers that looked at it
   * look again if it has free replicas, and it is offered.
   */
  refolded(job: SimJob): void {
    this.unpark(job);
    if (job.free.length > 0 && this.scanned(job)) this.stir();
    this.offer(job);
  }

  /**
   * Gives a job's free replicas to the idle workers whose rendezvous waves are due, in rank order;
   * the order changes with every claim (the busy set shrinks the list), so it starts over after each.
   */
  offer(job: SimJob): void {
    const now = this.host.now();
    let claimed = true;
    while (claimed && job.free.length > 0 && job.outcome === "open" && now <= job.deadline) {
      claimed = false;
      // Every plan would come back empty (plan) until the fold changes the job: no waves till then.
      if (!this.anyClaimable(job)) return this.park(job);
      const offer = this.offerOf(job);
      const due = Math.min(OFFER_LIMIT, (Math.floor((now - job.freeSince) / this.staggerMs) + 1) * job.free.length);
      for (const node of this.dueIdlers(offer, due)) {
        const plan = this.plan(node, job);
        if (plan && plan.at <= now) {
          this.take(node, job, plan.replica);
          claimed = true;
          break;
        } else if (plan) this.host.wakeAt(plan.at, { node });
      }
    }
    if (job.free.length > 0 && job.outcome === "open") {
      const next = job.freeSince + (Math.floor((now - job.freeSince) / this.staggerMs) + 1) * this.staggerMs;
      if (next <= job.deadline) this.host.wakeAt(next, { job });
    }
  }

  /**
   * Something that may give a waiting worker a plan happened: each looks again at its next poll
   * (the real worker reads the ledger once a wave while it idles; a poll that could find nothing
   * new is skipped, the others keep their times).
   */
  private stir(): void {
    if (this.waiting.size === 0) return;
    const now = this.host.now();
    for (const [node, lookedAt] of this.waiting) this.host.wakeAt(lookedAt + Math.max(1, Math.ceil((now - lookedAt) / this.staggerMs)) * this.staggerMs, { node });
    this.waiting.clear();
  }

  /** A job leaves the open ones: when it was among the first SCAN, the next one comes into every idle worker's look. */
  private unlist(job: SimJob): void {
    this.parked.delete(job.index);
    if (this.openJobs.size > SCAN && this.scanned(job)) this.stir();
    this.openJobs.delete(job.index);
  }

  /** Sets aside an open job nobody may claim now (parked). */
  private park(job: SimJob): void {
    this.unlist(job);
    this.parked.add(job.index);
  }

  /** A parked job the fold changed, or with a replica open again: back among the open jobs once something is claimable. */
  private unpark(job: SimJob): void {
    if (this.parked.has(job.index) && this.anyClaimable(job)) {
      this.parked.delete(job.index);
      this.openJobs.add(job.index);
    }
  }

  /** Whether the job is among the first SCAN open jobs (those a newly idle worker looks at). */
  private scanned(job: SimJob): boolean {
    let seen = 0;
    for (const index of this.openJobs) {
      if (index === job.index) return true;
      if (++seen === SCAN) return false;
    }
    return false;
  }

  /** Notes an idle worker that offers can reach. */
  private reachable(node: SimNode): void {
    const place = this.competitors.placeOf(this.firstDid[node.index]!);
    if (place.listed && this.nodeAt[place.position] === node) this.idlers.set(node, place.position);
  }

  /** The idle workers among the job's first `due` ranks, in rank order. */
  private dueIdlers(offer: Offer, due: number): SimNode[] {
    const found: SimNode[] = [];
    if (this.idlers.size === 0) return found;
    const positions = offer.rankedPositions(this.competitors, due);
    const ranks = Math.min(due, positions.length);
    for (let rank = 0; rank < ranks; rank++) {
      const node = this.nodeAt[positions[rank]!];
      if (node?.idle) found.push(node);
    }
    return found;
  }

  /**
   * `node`'s claim on `job` as the real worker plans it (replicas.ts planReplica, on the fold's
   * state): its weighted rank among the competitors without the job's claimants, its wave, its
   * claim delay, and nothing the fold would refuse (suspended, excluded, over its quota). An
   * operator behind Sybil identities ignores the order and claims the first free replica as soon
   * as the fold would take it. `claimer` gives the node's standing when the caller plans many
   * jobs for it at once (made once, when a job first needs it).
   */
  plan(node: SimNode, job: SimJob, claimer?: () => Claimer): Plan | undefined {
    if (job.free.length === 0 || job.outcome !== "open" || this.host.now() > job.deadline || job.claimants.has(node.did)) return undefined;
    const state = this.host.state();
    const folded = state.jobs[job.id];
    // The fold refuses every claim of a suspended worker (claimRefusal); colluders stay idle once caught.
    if (!folded || isSuspended(state, node.did)) return undefined;
    const claimableNow = claimable(folded, job.free, this.host.now());
    // An undecided adaptive job whose replica 0 is held has nothing to claim: no rank needed.
    if (claimableNow.length === 0) return undefined;
    // Most jobs a newly idle worker scans end here.
    if (claimer && this.wavesPastDeadline(job, claimer())) return undefined;
    if (ROLES[node.role].coordinated) {
      const replica = claimableNow[0]!;
      const at = Math.max(this.host.now(), folded.submitted + claimDelayMs(state.reputation[node.did], leaseMsOf(state)));
      return claimRefusal(state, folded, job.id, replica, node.did, at) ? undefined : { replica, at };
    }
    const offer = this.offerOf(job);
    return planReplica(state, job.id, folded, node.did, offer, this.host.now(), this.staggerMs, this.competitors, offer.key);
  }

  /** Whether the fold has the job and would let a worker claim one of its free replicas now. */
  private anyClaimable(job: SimJob): boolean {
    const folded = this.host.state().jobs[job.id];
    return folded !== undefined && claimable(folded, job.free, this.host.now()).length > 0;
  }

  private take(node: SimNode, job: SimJob, replica: number): void {
    this.busy(node);
    job.free.splice(job.free.indexOf(replica), 1);
    if (job.free.length === 0) this.unlist(job);
    this.host.claim(node, job, replica);
  }

  /**
   * Whether the worker's earliest wave on the job (its rank spread over every free replica, a
   * lower bound of the wave planReplica gives it) starts after the deadline: then planReplica
   * has no plan either (the fold refuses a claim past the deadline). Most of the oldest open
   * jobs a newly idle worker looks at are so, and this costs one rank instead of a plan. The
   * simulator's deadline is the fold's (the one it submitted, or the fold's when it reopened the job).
   */
  private wavesPastDeadline(job: SimJob, claimer: Claimer): boolean {
    const offer = this.offerOf(job);
    const rank = this.competitors.rankAt(offer.key, claimer.place, offer.busyPositions(this.competitors));
    return job.freeSince + claimSlot(rank, job.free.length, claimer.weightPermille).wave * this.staggerMs > job.deadline;
  }

  private offerOf(job: SimJob): Offer {
    let offer = this.offers[job.index];
    if (!offer) {
      offer = new Offer(job);
      this.offers[job.index] = offer;
    }
    return offer;
  }

  /** The first due claim among `preferred` and the oldest open jobs; else when the earliest one falls due. */
  private find(node: SimNode, preferred: readonly number[]): { job: SimJob; replica: number } | { job?: undefined; wakeAt?: number } {
    // No plan at all (plan): not worth a look at each job.
    if (isSuspended(this.host.state(), node.did)) return {};
    const now = this.host.now();
    let wakeAt = Infinity;
    let seen = 0;
    // Made at the first job with something to claim: in a run's tail the oldest open jobs often have none.
    let standing: Claimer | undefined;
    const claimer = ROLES[node.role].coordinated ? undefined : () => (standing ??= { place: this.competitors.placeOf(node.did), weightPermille: this.competitors.weightPermille(node.did) });
    // The preferred jobs, then the open ones, without copying the open set (the backlog of a saturated run).
    scan: for (const list of [preferred, this.openJobs]) {
      for (const index of list) {
        const job = this.jobs[index]!;
        if (list === this.openJobs && !this.anyClaimable(job)) {
          // Not a look's worth: no plan until the fold changes it.
          this.park(job);
          continue;
        }
        if (seen++ === SCAN) break scan;
        const plan = this.plan(node, job, claimer);
        if (plan && plan.at <= now) return { job, replica: plan.replica };
        if (plan) wakeAt = Math.min(wakeAt, plan.at);
      }
    }
    return wakeAt === Infinity ? {} : { wakeAt };
  }
}
