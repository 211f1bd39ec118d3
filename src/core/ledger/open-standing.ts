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
import { meritStanding, type TrustEdge } from "./merit-rank.ts";
import { dictionary, type LedgerState, type OpenPoolState } from "./state.ts";

/** Verified results that end a stranger's probation. */
export const PROBATION_RESULTS = 10;
/**
 * Paid, verified results counted per (submitter, worker) edge. Capping makes standing saturate:
 * a newcomer that did PROBATION_RESULTS jobs for a submitter holds as strong an edge from it as
 * a veteran, so honest newcomers reach full standing within their first ten verified jobs.
 */
export const WORK_EDGE_CAP = PROBATION_RESULTS;
/** An invitation's edge weight: one verified result's worth. */
const INVITE_WEIGHT = 1;
export const FULL_FACTOR = 1000;

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

/** Records paid, verified work by `workers` for `submitter` as MeritRank edges (open pools only). */
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

/**
 * factor = min(1000, 1000 * standing / reference), where the reference is the median positive
 * standing of non-admin members not behind a bridge: the level an ordinary honest member holds.
 * A farm behind its operator keeps a tenth of its standing (connectivity decay) and cannot move
 * the reference, since bridged nodes are left out of it. Reads only (the simulator measures with it).
 */
export function meritView(state: LedgerState, open: OpenPoolState): MeritView {
  const admins: Did[] = [];
  const strangers: Did[] = [];
  const current = (did: string): boolean => state.members[did] !== undefined && state.members[did]!.revoked === undefined;
  const edges: TrustEdge<Did>[] = [];
  for (const [did, member] of Object.entries(state.members) as [Did, NonNullable<LedgerState["members"][string]>][]) {
    if (member.revoked !== undefined) continue;
    if (member.abilities.includes("pool/admin")) admins.push(did);
    if (member.admission !== undefined) strangers.push(did);
    else if (member.by !== did && current(member.by)) edges.push({ from: member.by, to: did, weight: INVITE_WEIGHT });
  }
  const factors = dictionary<number>();
  if (strangers.length === 0) return { scores: new Map(), reference: 0, factors };
  for (const [from, targets] of Object.entries(open.work ?? {})) {
    if (!current(from)) continue;
    for (const [to, weight] of Object.entries(targets)) if (current(to)) edges.push({ from: from as Did, to: to as Did, weight });
  }
  const { scores, bridged } = meritStanding(admins, edges);
  const isAdmin = new Set(admins);
  const levels = [...scores].filter(([did, score]) => !isAdmin.has(did) && !bridged.has(did) && score > 0).map(([, score]) => score);
  levels.sort((a, b) => a - b);
  const reference = levels[Math.floor(levels.length / 2)] ?? 0;
  for (const did of strangers.sort()) {
    const score = scores.get(did) ?? 0;
    factors[did] = reference === 0 ? 0 : Math.min(FULL_FACTOR, Math.floor((FULL_FACTOR * score) / reference));
  }
  return { scores, reference, factors };
}
