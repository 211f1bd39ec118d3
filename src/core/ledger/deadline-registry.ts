/**
 * Which deadline queue (./deadlines.ts) belongs to the fold that owns a state, so a fold rule that
 * moves a job's deadline (a revoked single run opened again, ./standing.ts) can queue it without
 * importing the queue (which imports the verdict rules, which import the standing rules).
 */
import type { LedgerState } from "./state.ts";
import type { EntryId } from "./types.ts";

interface Queue {
  add(job: EntryId, deadline: number): void;
}

const queues = new WeakMap<LedgerState, Queue>();

export const registerDeadlines = (state: LedgerState, queue: Queue): void => void queues.set(state, queue);

/** Queues a job whose deadline a fold rule set again. */
export function requeueDeadline(state: LedgerState, job: EntryId, deadline: number): void {
  queues.get(state)?.add(job, deadline);
}
