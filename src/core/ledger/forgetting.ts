/**
 * Which jobs a checkpoint forgets (ledger/README.md 8.7): those past their deadline by more than
 * the vesting period, which nothing can change any more. Per jobs map the earliest deadline is
 * kept, so a checkpoint before anything is due to be forgotten (every checkpoint of a pool younger
 * than its vesting period) does not scan the jobs. The earliest deadline may be too early (a job
 * revoked and reopened gets a later deadline); that only costs a scan, which sets it right. Not
 * part of the state: a cloned or decoded state builds it again with one scan.
 */
import type { LedgerState } from "./state.ts";
import type { EntryId } from "./types.ts";

const earliest = new WeakMap<LedgerState["jobs"], number>();

/** Records a new job's deadline (called after the fold stored the job). */
export function noteDeadline(state: LedgerState, deadline: number): void {
  const known = earliest.get(state.jobs);
  if (known !== undefined && deadline < known) earliest.set(state.jobs, deadline);
}

/** The jobs of `state` whose deadline plus `retention` is before `through`, in id order. */
export function forgottenJobs(state: LedgerState, through: number, retention: number): EntryId[] {
  const known = earliest.get(state.jobs);
  if (known !== undefined && known + retention >= through) return [];
  const forgotten: EntryId[] = [];
  let kept = Infinity;
  for (const id in state.jobs) {
    const deadline = state.jobs[id]!.deadline;
    if (deadline + retention < through) forgotten.push(id as EntryId);
    else if (deadline < kept) kept = deadline;
  }
  // Without forgotten jobs this map is the one the checkpoint keeps; otherwise the checkpoint keeps
  // a copy, which its next checkpoint scans once.
  if (forgotten.length === 0) earliest.set(state.jobs, kept);
  return forgotten.sort();
}
