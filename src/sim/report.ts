/**
 * What a run found, as JSON (schemaVersion 1) and as a table: outcomes, wrong results accepted
 * against the binomial prediction, time to a verified result, wasted work, credits by role, and
 * the cost model's figures for what the simulation did not compute (signatures, sync).
 */
import type { Did } from "../core/identity/did-key.ts";
import { ROLES, type Role } from "./behaviour.ts";
import type { SimConfig } from "./config.ts";
import type { Simulation } from "./engine.ts";
import { majorityWrongProbability } from "./theory.ts";
import { START_TIME } from "./world.ts";
import type { FarmFigures, NewcomerFigures } from "./open-pool.ts";

/** Cost model (measured on this machine class, shared/TOOLCHAIN.md): node:crypto Ed25519 verify and sign per second. */
export const VERIFY_PER_SECOND = 16_000;
export const SIGN_PER_SECOND = 44_000;
/** A job entry's canonical size, about (header, DID, CID, 32-byte hashes, signature). */
export const ENTRY_BYTES = 330;

export interface Credits {
  members: number;
  earned: number;
  spent: number;
  perMember: number;
}

export interface SimReport {
  schemaVersion: 1;
  config: SimConfig;
  jobs: { submitted: number; completed: number; right: number; wrong: number; failed: number; expired: number; refused: number; escalated: number; spotChecked: number };
  /** Wrong outputs at each job's first verdict (what a submitter saw then). */
  wrongAccepted: { count: number; rate: number; liarReplicaShare: number; binomialPrediction: number; binomialSigma: number };
  /** Wrong outputs the fold still holds at the end: after audits overturned verdicts and caught workers' single runs were re-run. */
  wrongAfterRevocation: { count: number; rate: number };
  /** Issue 11's mechanism at work (zeros when the run has no incentives). */
  incentives: { singleRuns: number; audits: number; revoked: number; reentries: number; fund: number; suspended: { honest: number; dishonest: number; honestShare: number } };
  /** Issue 12, open pools only: honest newcomers' standing, a Sybil farm's, re-entered identities admitted. */
  open?: { newcomers: NewcomerFigures; farm?: FarmFigures; reentriesAdmitted: number };
  timeToVerdictSeconds: { mean: number; p50: number; p99: number };
  work: { executions: number; perCompletedJob: number; wastedReplicas: number; computeHours: number; abortedHours: number; lateResults: number; lostCommits: number; lostClaims: number };
  credits: { honest: Credits; dishonest: Credits; byRole: Partial<Record<Role, Credits>> };
  ledger: { written: number; lost: number; folded: number; rejected: Record<string, number>; badBody: number };
  costModel: { signatures: number; verificationsPerNode: number; verifySecondsPerNode: number; syncMegabytesPerNode: number };
  simulatedHours: number;
  /** How long the run took on this machine: the only part that differs between runs of one seed. */
  timing: { wallSeconds: number; foldSeconds: number };
}

const round = (x: number, digits = 4): number => Number(x.toFixed(digits));

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export function buildReport(sim: Simulation, wallMs: number): SimReport {
  const outcomes = { right: 0, wrong: 0, failed: 0, expired: 0, open: 0, refused: 0 };
  const times: number[] = [];
  let wrongAtFirst = 0;
  let firstVerdicts = 0;
  for (const job of sim.jobs) {
    outcomes[job.outcome]++;
    if (job.firstOutcome !== undefined) firstVerdicts++;
    if (job.firstOutcome === "wrong") wrongAtFirst++;
    if (job.verdictAt !== undefined) times.push(job.verdictAt - job.submitted);
  }
  times.sort((a, b) => a - b);
  const completed = outcomes.right + outcomes.wrong;
  const mean = times.length === 0 ? 0 : times.reduce((s, t) => s + t, 0) / times.length;
  const share = liarReplicaShare(sim);
  const k = sim.config.pool.replicas;
  const predicted = majorityWrongProbability(k, share);
  const stats = sim.ledger.stats;
  const t = sim.tally;
  const open = sim.openFigures();
  return {
    schemaVersion: 1,
    config: sim.config,
    jobs: { submitted: t.submitted, completed, right: outcomes.right, wrong: outcomes.wrong, failed: outcomes.failed, expired: outcomes.expired + outcomes.open, refused: outcomes.refused, ...replication(sim) },
    wrongAccepted: {
      count: wrongAtFirst,
      rate: round(firstVerdicts === 0 ? 0 : wrongAtFirst / firstVerdicts, 6),
      liarReplicaShare: round(share, 6),
      binomialPrediction: round(predicted, 6),
      binomialSigma: round(completed === 0 ? 0 : Math.sqrt((predicted * (1 - predicted)) / completed), 6),
    },
    wrongAfterRevocation: { count: outcomes.wrong, rate: round(completed === 0 ? 0 : outcomes.wrong / completed, 6) },
    incentives: incentives(sim),
    ...(open ? { open } : {}),
    timeToVerdictSeconds: { mean: round(mean / 1000, 2), p50: round(percentile(times, 0.5) / 1000, 2), p99: round(percentile(times, 0.99) / 1000, 2) },
    work: {
      executions: t.executions,
      perCompletedJob: round(completed === 0 ? 0 : t.executions / completed, 3),
      wastedReplicas: Math.max(0, t.executions - completed),
      computeHours: round(t.computeMs / 3_600_000, 1),
      abortedHours: round(t.abortedMs / 3_600_000, 1),
      lateResults: t.lateResults,
      lostCommits: t.lostCommits,
      lostClaims: t.lostClaims,
    },
    credits: creditsByRole(sim),
    ledger: { written: stats.written, lost: stats.lost, folded: stats.folded, rejected: stats.rejected, badBody: stats.badBody },
    costModel: {
      signatures: stats.written,
      verificationsPerNode: stats.folded,
      verifySecondsPerNode: round(stats.folded / VERIFY_PER_SECOND, 1),
      syncMegabytesPerNode: round((stats.folded * ENTRY_BYTES) / 1e6, 1),
    },
    simulatedHours: round((t.endedAt - START_TIME) / 3_600_000, 2),
    timing: { wallSeconds: round(wallMs / 1000, 2), foldSeconds: round(stats.foldMs / 1000, 2) },
  };
}

/** Jobs the fold gave more replicas: escalated after a vote without majority, or spot-checked. */
function replication(sim: Simulation): { escalated: number; spotChecked: number } {
  let escalated = 0;
  let spotChecked = 0;
  for (const job of Object.values(sim.ledger.state.jobs)) {
    if (job.escalations) escalated++;
    if (job.spotChecked) spotChecked++;
  }
  return { escalated, spotChecked };
}

function incentives(sim: Simulation): SimReport["incentives"] {
  const state = sim.ledger.state;
  let singleRuns = 0;
  let audits = 0;
  let revoked = 0;
  for (const job of Object.values(state.jobs)) {
    if (job.single !== undefined) singleRuns++;
    if (job.audit?.status === "done") audits++;
    if (job.funded) revoked++;
  }
  const suspended = { honest: 0, dishonest: 0, honestShare: 0 };
  let honestMembers = 0;
  for (const node of sim.nodes) {
    const honest = ROLES[node.role].honest;
    if (honest) honestMembers++;
    if (state.standing[node.did]?.suspended !== undefined) suspended[honest ? "honest" : "dishonest"]++;
  }
  suspended.honestShare = round(honestMembers === 0 ? 0 : suspended.honest / honestMembers, 6);
  return { singleRuns, audits, revoked, reentries: sim.tally.reentries, fund: state.fund, suspended };
}

/** Share of the replicas revealed in settled jobs that came from dishonest workers. */
function liarReplicaShare(sim: Simulation): number {
  const roleOf = new Map<string, Role>(sim.nodes.map((n) => [n.did, n.role]));
  let liars = 0;
  let all = 0;
  for (const job of Object.values(sim.ledger.state.jobs)) {
    if (job.status !== "done") continue;
    for (const did of Object.keys(job.reveals)) {
      all++;
      if (!ROLES[roleOf.get(did) ?? "honest"].honest) liars++;
    }
  }
  return all === 0 ? 0 : liars / all;
}

function creditsByRole(sim: Simulation): SimReport["credits"] {
  const blank = (): Credits => ({ members: 0, earned: 0, spent: 0, perMember: 0 });
  const byRole: Partial<Record<Role, Credits>> = {};
  const honest = blank();
  const dishonest = blank();
  const accounts = sim.ledger.state.accounts;
  for (const node of sim.nodes) {
    const account = accounts[node.did as Did];
    const earned = account ? account.vested + account.grants.reduce((s, g) => s + g.amount, 0) : 0;
    const spent = account?.spent ?? 0;
    for (const c of [(byRole[node.role] ??= blank()), ROLES[node.role].honest ? honest : dishonest]) {
      c.members++;
      c.earned += earned;
      c.spent += spent;
    }
  }
  for (const c of [honest, dishonest, ...Object.values(byRole)]) c.perMember = c.members === 0 ? 0 : round(c.earned / c.members, 1);
  return { honest, dishonest, byRole };
}

/** The report as aligned text lines (the CLI's table). */
export function renderReport(r: SimReport): string[] {
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const rows: Array<[string, string]> = [
    ["nodes / jobs / k", `${r.config.nodes} / ${r.config.jobs} / ${r.config.pool.replicas}`],
    ["jobs completed", `${r.jobs.completed} of ${r.jobs.submitted} (failed ${r.jobs.failed}, expired ${r.jobs.expired}; escalated ${r.jobs.escalated}, spot-checked ${r.jobs.spotChecked})`],
    ["wrong results accepted", `${r.wrongAccepted.count} (${pct(r.wrongAccepted.rate)}) at first verdict; ${r.wrongAfterRevocation.count} (${pct(r.wrongAfterRevocation.rate)}) after audits and revocations`],
    ["incentives", `${r.incentives.singleRuns} single runs, ${r.incentives.audits} audits, ${r.incentives.revoked} revoked and re-run; fund ${r.incentives.fund}; suspended ${r.incentives.suspended.honest} honest, ${r.incentives.suspended.dishonest} dishonest`],
    ...(r.open ? openRows(r.open) : []),
    ["binomial prediction", `${pct(r.wrongAccepted.binomialPrediction)} ± ${pct(r.wrongAccepted.binomialSigma)} (liars' share of replicas ${pct(r.wrongAccepted.liarReplicaShare)})`],
    ["time to verified result", `mean ${r.timeToVerdictSeconds.mean} s, p50 ${r.timeToVerdictSeconds.p50} s, p99 ${r.timeToVerdictSeconds.p99} s`],
    ["executions per completed job", `${r.work.perCompletedJob} (wasted replicas ${r.work.wastedReplicas}, aborted ${r.work.abortedHours} h of ${r.work.computeHours} h)`],
    ["credits per honest member", `${r.credits.honest.perMember} (${r.credits.honest.members} members)`],
    ["credits per dishonest member", `${r.credits.dishonest.perMember} (${r.credits.dishonest.members} members)`],
    ["ledger entries", `${r.ledger.written} written, ${r.ledger.lost} lost, ${r.ledger.folded} folded, ${Object.values(r.ledger.rejected).reduce((s, n) => s + n, 0)} refused`],
    ["per-node cost (model)", `${r.costModel.verifySecondsPerNode} s verifying, ${r.costModel.syncMegabytesPerNode} MB synced`],
    ["simulated / wall time", `${r.simulatedHours} h / ${r.timing.wallSeconds} s (fold ${r.timing.foldSeconds} s)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
}

function openRows(open: NonNullable<SimReport["open"]>): Array<[string, string]> {
  const n = open.newcomers;
  const rows: Array<[string, string]> = [
    ["newcomers (open pool)", `${n.count}; probation ended for ${n.probationEnded}, ${n.fullAtProbationEnd} at the full reward factor then (median factor ${n.medianFactorAtProbationEnd}); ${n.reachedFull} reached it, median at ${n.medianResultsToFull} verified results`],
    ["re-entered identities admitted", `${open.reentriesAdmitted} (admitted before the run ended; the join cap queues the rest)`],
  ];
  const f = open.farm;
  if (f) rows.push(["Sybil farm", `${f.identities} identities, ${f.jobs} farm jobs: standing ${f.ratio.toFixed(3)}x its operator's (mean factor ${f.meanFarmFactor.toFixed(0)}, operator's ${f.operatorFactor})`]);
  return rows;
}
