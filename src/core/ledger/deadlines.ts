/**
 * Jobs that pass their deadline without a verdict fail in the fold and their submitter gets the
 * reward back (ledger/README.md 8.3, "Deadlines"). The fold learns that time passed only from the
 * entries it takes up: before an entry of sort time t, every open job whose deadline < t fails. A
 * min-heap by (deadline, job id) makes that a peek per entry instead of a scan of every job.
 */
import { registerDeadlines } from "./deadline-registry.ts";
import type { LedgerState } from "./state.ts";
import type { EntryId } from "./types.ts";
import { failJob } from "./verdict.ts";

interface Due {
  readonly deadline: number;
  readonly job: EntryId;
}

const before = (a: Due, b: Due): boolean => a.deadline < b.deadline || (a.deadline === b.deadline && a.job < b.job);

export class DeadlineQueue {
  private readonly heap: Due[] = [];

  /** The queue of a state's open jobs (a fold starting from genesis or from a checkpoint). */
  static of(state: LedgerState): DeadlineQueue {
    const queue = new DeadlineQueue();
    registerDeadlines(state, queue);
    for (const [job, { status, deadline }] of Object.entries(state.jobs)) if (status === "open") queue.add(job as EntryId, deadline);
    return queue;
  }

  add(job: EntryId, deadline: number): void {
    const heap = this.heap;
    heap.push({ deadline, job });
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** Fails every job still open whose deadline is before `time` (jobs settled meanwhile are skipped). */
  expireBefore(state: LedgerState, time: number): void {
    while (this.heap.length > 0 && this.heap[0]!.deadline < time) {
      const job = state.jobs[this.pop().job];
      // A job reopened by a revocation (standing.ts) has a later deadline, queued on its own.
      if (job?.status === "open" && job.deadline < time) failJob(state, job, "deadline");
    }
  }

  private pop(): Due {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    heap[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
      if (least === i) return top;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
  }
}
