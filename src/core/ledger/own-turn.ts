/**
 * The author's turn of own writes on a ledger. Two writes of one author that read the same "last
 * sequence number" would sign two entries with one sequence, which the fold takes for
 * equivocation: it refuses both and strikes the author. Whatever signs and appends an author's
 * entries in a process (the node's queue, ../jobs/own-entries.ts; key writes; admin writes) does it
 * in this turn.
 */
import type { Did } from "../identity/did-key.ts";
import type { Ledger } from "./ledger.ts";
import type { LedgerState } from "./state.ts";

/**
 * Each ledger's queues of own writes, one per author. They belong to the ledger, not to one
 * OwnEntries: a private pool's rotations, key grants, invites and rekeys (privacy/*) and an
 * admin's revocations and settings (./membership.ts) are written by the app and the CLI beside the
 * node, not through it, and must still take their sequence numbers in the same line as the node's
 * jobs and work.
 */
const queues = new WeakMap<Ledger, Map<Did, Promise<unknown>>>();

/**
 * Runs `task`, which signs and appends entries of `author` itself, after every earlier task and
 * write of that author on `ledger` in this process: no two take one sequence number. A task must
 * not wait for another one of the same author (it would wait for itself).
 */
export function inOwnTurn<T>(ledger: Ledger, author: Did, task: () => Promise<T>): Promise<T> {
  const byAuthor = queues.get(ledger) ?? new Map<Did, Promise<unknown>>();
  queues.set(ledger, byAuthor);
  const run = (byAuthor.get(author) ?? Promise.resolve()).then(task);
  byAuthor.set(author, run.catch(() => undefined));
  return run;
}

/** An entry's time: `requested`, or later when the author already wrote later (its time must not go back). */
export const ownTime = (state: LedgerState, author: Did, requested: number): number => Math.max(requested, state.authors[author]?.time ?? 0);
