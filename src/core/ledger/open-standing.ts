/**
 * What a stranger in an open pool earns (issue 12; ledger/README.md 6.3, "Probation" and "Reward
 * factor"). Strangers hold no invitation, so two rules sit on top of the incentive rules:
 * - probation: until its first PROBATION_RESULTS verified results a stranger is never trusted
 *   (no single-run work, no spot replicas) and none of its credits vest;
 * - reward factor: when a stranger's credits vest they are scaled by its MeritRank standing,
 *   computed once per epoch from the pool's admins over the graph of invitations and paid,
 *   verified work; what the factor holds back goes to the verification fund.
 * Invited members are vouched for by their chain and are not scaled; they carry standing to the
 * strangers they pay. Integers only.
 */
import type { Did } from "../identity/did-key.ts";
import { BRIDGE_DECAY_PERMILLE, meritStanding, RESTART_PERMILLE, type TrustEdge } from "./merit-rank.ts";
import { dictionary, type LedgerState, type OpenPoolState } from "./state.ts";

/** Verified results that end a stranger's probation. */
export const PROBATION_RESULTS = 10;
/**
 * Paid, verified results counted per (submitter, worker) edge. Capping keeps one submitter from
 * concentrating its standing on a worker it pays again and again (its own identity, say): past
 * the cap, standing grows only with more distinct payers.
 */
export const WORK_EDGE_CAP = PROBATION_RESULTS;
/** An invitation's edge weight: one verified result's worth. */
const INVITE_WEIGHT = 1;
export const FULL_FACTOR = 1000;
/**
 * The most a stranger behind a bridge vests: the share connectivity decay leaves its standing. Its
 * standing is a fixed fraction of its bridge's, and a bridge that many members paid holds many
 * references' worth, so without this ceiling a farm's factor would grow with the pool.
 */
const BRIDGED_FACTOR = FULL_FACTOR - BRIDGE_DECAY_PERMILLE;

/** A stranger (joined with a stamp or token) with fewer than PROBATION_RESULTS verified results. */
export function inProbation(state: LedgerState, did: Did): boolean {
  return state.members[did]?.admission !== undefined && (state.reputation[did]?.agreed ?? 0) < PROBATION_RESULTS;
}

/** How a member's due credits vest: held back entirely, or scaled by a factor in thousandths. */
export type VestingTerms = { readonly held: true } | { readonly held: false; readonly permille: number };

export const FULL_VESTING: VestingTerms = { held: false, permille: FULL_FACTOR };
const HELD: VestingTerms = { held: true };

/**
 * Invited members vest in full. A stranger's credits are held during probation and until an
 * epoch's MeritRank has scored it (it joined after the current epoch's graph was taken).
 */
export function vestingTerms(state: LedgerState, did: Did): VestingTerms {
  if (state.members[did]?.admission === undefined) return FULL_VESTING;
  if (inProbation(state, did)) return HELD;
  const factor = state.pool?.open?.merit?.factors[did];
  return factor === undefined ? HELD : { held: false, permille: factor };
}

/**
 * Records verified work by `workers` on a job `submitter` paid for as MeritRank edges (open pools
 * only): the verdict's earning workers, and each agreeing reveal after it that earns.
 */
export function recordPaidWork(state: LedgerState, submitter: Did, workers: readonly Did[]): void {
  const open = state.pool?.open;
  if (!open) return;
  const work = (open.work ??= dictionary());
  const targets = (work[submitter] ??= dictionary());
  for (const worker of workers) if (worker !== submitter) targets[worker] = Math.min(WORK_EDGE_CAP, (targets[worker] ?? 0) + 1);
}

/**
 * Recomputes the strangers' reward factors once per epoch, from the graph as the fold found it
 * when the epoch's first entry arrived (the fold calls this with params' epoch advance).
 */
export function refreshMerit(state: LedgerState, epoch: number): void {
  const open = state.pool?.open;
  if (!open || (open.merit && open.merit.epoch >= epoch)) return;
  open.merit = { epoch, factors: meritView(state, open).factors };
}

/** An open pool's MeritRank as the fold scores it: every member's standing, the reference level, each stranger's factor. */
export interface MeritView {
  readonly scores: ReadonlyMap<Did, number>;
  readonly reference: number;
  readonly factors: Record<string, number>;
}

/** What the factors are computed from: the graph among current members, and who is who. */
export interface MeritGraph {
  readonly admins: readonly Did[];
  /** Members vouched for by an invitation chain (admins included): no `admission`. */
  readonly vouched: readonly Did[];
  /** Strangers out of probation: the members that get a factor. */
  readonly scored: readonly Did[];
  /** inviter -> invited member, weight 1 each. */
  readonly invitations: readonly TrustEdge<Did>[];
  /** submitter -> worker, paid verified results (capped). */
  readonly work: readonly TrustEdge<Did>[];
}

/** The MeritRank graph of an open pool's current members (ledger/README.md 6.3, "Edges"). */
export function meritGraph(state: LedgerState, open: OpenPoolState): MeritGraph {
  const admins: Did[] = [];
  const vouched: Did[] = [];
  const scored: Did[] = [];
  const current = (did: string): boolean => state.members[did] !== undefined && state.members[did]!.revoked === undefined;
  const invitations: TrustEdge<Did>[] = [];
  const work: TrustEdge<Did>[] = [];
  for (const [did, member] of Object.entries(state.members) as [Did, NonNullable<LedgerState["members"][string]>][]) {
    if (member.revoked !== undefined) continue;
    if (member.abilities.includes("pool/admin")) admins.push(did);
    if (member.admission === undefined) vouched.push(did);
    else if (!inProbation(state, did)) scored.push(did);
    if (member.admission === undefined && member.by !== did && current(member.by)) invitations.push({ from: member.by, to: did, weight: INVITE_WEIGHT });
  }
  for (const [from, targets] of Object.entries(open.work ?? {})) {
    if (!current(from)) continue;
    for (const [to, weight] of Object.entries(targets)) if (current(to)) work.push({ from: from as Did, to: to as Did, weight });
  }
  return { admins, vouched, scored, invitations, work };
}

/**
 * The fold's factors for one graph. The reference is one paid, verified result's worth from an
 * ordinary vouched payer: for each vouched member that paid verified work (an edge in `work`), the
 * standing one unit of its out-weight carries, (1000 - restart) / 1000 * score / out-weight; the
 * reference is the upper median of those. factor = min(1000, 1000 * standing / reference): a
 * stranger whose standing comes from the vouched core at least as strongly as one ordinary paid
 * result earns in full once out of probation (ledger/README.md 6.3 says why not more); one behind
 * a bridge keeps a tenth of what flows through its bridge, and vests at most a tenth.
 */
export function meritFactors(graph: MeritGraph): MeritView {
  const factors = dictionary<number>();
  if (graph.scored.length === 0) return { scores: new Map(), reference: 0, factors };
  const edges = [...graph.invitations, ...graph.work];
  const { scores, bridged } = meritStanding(graph.admins, edges);
  const outWeight = new Map<Did, number>();
  for (const { from, weight } of edges) outWeight.set(from, (outWeight.get(from) ?? 0) + weight);
  const isVouched = new Set(graph.vouched);
  const payers = new Set(graph.work.filter((edge) => isVouched.has(edge.from)).map((edge) => edge.from));
  const units = [...payers].map((did) => Math.floor(((1000 - RESTART_PERMILLE) * (scores.get(did) ?? 0)) / (1000 * outWeight.get(did)!)));
  units.sort((a, b) => a - b);
  const reference = units[Math.floor(units.length / 2)] ?? 0;
  for (const did of [...graph.scored].sort()) {
    const score = scores.get(did) ?? 0;
    const ceiling = bridged.has(did) ? BRIDGED_FACTOR : FULL_FACTOR;
    factors[did] = reference === 0 ? 0 : Math.min(ceiling, Math.floor((FULL_FACTOR * score) / reference));
  }
  return { scores, reference, factors };
}

/** Reads only: the fold's per-epoch snapshot, and the simulator's measurements, use it. */
export const meritView = (state: LedgerState, open: OpenPoolState): MeritView => meritFactors(meritGraph(state, open));
