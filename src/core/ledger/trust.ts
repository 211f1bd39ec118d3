/**
 * Who gets work and how much checking it gets (ledger/README.md, "Trust"): the claim weight that
 * orders contested claims, adaptive replication (a trusted worker runs a job alone), and the
 * hidden spot check whose draw comes from a checkpoint that did not exist when the worker
 * committed. Integers and BigInt only; every draw is a hash, so every node draws the same.
 */
import { sha256, utf8 } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";
import { epochOf, paramsOf } from "./params.ts";
import type { LedgerState } from "./state.ts";
import type { EntryId } from "./types.ts";
import { decayReputation } from "./accounts.ts";
import { inProbation } from "./open-standing.ts";

/** The first 16 bits of SHA-256 of a domain-separated text. */
function draw16(text: string): number {
  const digest = sha256(utf8(text));
  return (digest[0]! << 8) | digest[1]!;
}

/** H(job, replica, did): the first 48 bits of SHA-256, the rendezvous hash workers rank by. */
export function claimHash(job: EntryId, replica: number, did: Did): bigint {
  const digest = sha256(utf8(`edgepool/claim/v1\0${job}\0${replica}\0${did}`));
  let h = 0n;
  for (let i = 0; i < 6; i++) h = (h << 8n) | BigInt(digest[i]!);
  return h;
}

/**
 * P = 1000 + 1000 * min(D / D_ref, 10) + 1000 * min(R / R_ref, 10), floored: linear in stake D
 * and reputation R, so splitting either across identities gains nothing.
 */
export function claimWeight(state: LedgerState, did: Did, time: number): number {
  const { stakeRef, reputationRef } = paramsOf(state).set;
  const stake = state.standing[did]?.stake ?? 0;
  const r = state.reputation[did];
  const reputation = r ? decayReputation(r.milli, Math.max(0, epochOf(time) - r.epoch)) : 0;
  return 1000 + Math.min(10_000, Math.floor((1000 * stake) / stakeRef)) + Math.min(10_000, Math.floor((1000 * reputation) / reputationRef));
}

/**
 * Whether `a` beats `b` for a replica: the lower H * 1000 / P wins, compared exactly as
 * H_a * P_b < H_b * P_a; a tie (equal products) goes to the lower DID.
 */
export function winsContest(state: LedgerState, job: EntryId, replica: number, a: Did, b: Did, time: number): boolean {
  const left = claimHash(job, replica, a) * BigInt(claimWeight(state, b, time));
  const right = claimHash(job, replica, b) * BigInt(claimWeight(state, a, time));
  return left < right || (left === right && a < b);
}

/**
 * A worker with at least `trust` consecutive valid replicated results (trust 0: nobody), not
 * suspended and not an open pool's stranger in probation (open-standing.ts).
 */
export function trusted(state: LedgerState, did: Did): boolean {
  const { trust } = paramsOf(state);
  return trust > 0 && (state.standing[did]?.streak ?? 0) >= trust && state.standing[did]?.suspended === undefined && !inProbation(state, did);
}

/** Unvested single-run credits a worker holds (at most M before it runs alone again). */
export const unvestedSingles = (state: LedgerState, did: Did): number => state.accounts[did]?.grants.filter((g) => g.single && g.vestsAt > state.clock).length ?? 0;

/** Whether the fold could give `did` an adaptive job alone: trusted, and fewer than M unvested single runs. */
export const mayRunAlone = (state: LedgerState, did: Did): boolean => trusted(state, did) && unvestedSingles(state, did) < paramsOf(state).set.maxSingle;

/**
 * Adaptive replication (BOINC's rule): a trusted worker with fewer than M unvested single-run
 * results gets the job alone with probability 1 - 1/C, drawn from the job and the claim entry.
 */
export function runsAlone(state: LedgerState, job: EntryId, claim: EntryId, did: Did): boolean {
  if (!mayRunAlone(state, did)) return false;
  const streak = state.standing[did]!.streak;
  // x / 65536 >= 1 / C, without division.
  return draw16(`edgepool/adaptive/v1\0${job}\0${claim}`) * streak >= 65_536;
}

/** Integer square root (floor) of a non-negative safe integer. */
export function isqrt(n: number): number {
  if (n < 2) return n;
  let x = n;
  let y = Math.floor((x + 1) / 2);
  while (y < x) {
    x = y;
    y = Math.floor((x + Math.floor(n / x)) / 2);
  }
  return x;
}

/** q(C) = clamp(1 / sqrt(C), q_min, 0.5), in thousandths: floor(sqrt(10^6 / C)). */
export function spotPermille(streak: number, qMinPermille: number): number {
  const q = streak <= 0 ? 500 : isqrt(Math.floor(1_000_000 / streak));
  return Math.min(500, Math.max(qMinPermille, q));
}

/**
 * The hidden spot check: chosen when the first 16 bits of SHA-256 of the job and the id of the
 * first checkpoint covering the commit, scaled to 0..999, fall below the job's chance. That id did
 * not exist when the worker committed, so it cannot redraw by re-salting or re-timing its commit.
 */
export function spotChosen(job: EntryId, checkpoint: EntryId, permille: number): boolean {
  if (permille <= 0) return false;
  return ((draw16(`edgepool/spot-check/v2\0${job}\0${checkpoint}`) * 1000) >>> 16) < permille;
}
