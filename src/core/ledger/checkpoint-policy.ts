/**
 * When a node holding ledger/checkpoint writes the next checkpoint on its own (ledger/README.md
 * 8.6, "Who writes checkpoints"): a pure decision with its reason, so "why no checkpoint?" always
 * has an answer. Three things make one due, whichever comes first: an invite deadline passed (a
 * checkpoint through it closes the invite for good), many entries since the last one (start-up
 * and refolds stay short), or some entries and a while since the last one. Two things hold one
 * back: no peer connected (a node cut off from its pool would make the others' recent work final
 * without it, so refused), and a connection younger than the settling time (what the pool wrote
 * meanwhile is still arriving).
 */
import { CHECKPOINT_SETTLE_MS } from "./checkpoint-writer.ts";

export interface CheckpointPolicy {
  /** With entries since the last checkpoint, write one this long after it. */
  readonly everyMs: number;
  /** Write one once this many entries were folded since the last checkpoint. */
  readonly everyEntries: number;
  /** `through` = now - settleMs; also how long a connection must be up before a checkpoint. */
  readonly settleMs: number;
  /** Never two checkpoints from this node closer together (each one refolds what the node holds). */
  readonly minGapMs: number;
}

export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = {
  everyMs: 10 * 60_000,
  everyEntries: 5_000,
  settleMs: CHECKPOINT_SETTLE_MS,
  minGapMs: 2 * 60_000,
};

export interface CheckpointSituation {
  readonly now: number;
  /** The pool's creation time; undefined while this node has no pool.create. */
  readonly created: number | undefined;
  /** The latest accepted checkpoint's `through`. */
  readonly lastThrough: number | undefined;
  /** Entries folded since the latest accepted checkpoint (all, without one). */
  readonly sinceCheckpoint: number;
  /** Invite deadlines this node knows of (ms). */
  readonly deadlines: readonly number[];
  /** Since when a peer has been connected without a break; undefined when none is. */
  readonly connectedSince: number | undefined;
  /** When this node last wrote (or tried to write) a checkpoint. */
  readonly lastWrite: number | undefined;
}

export type CheckpointReason = "invite-deadline" | "entries" | "interval" | "idle" | "offline" | "no-pool";

/** `at`: when to write (`now`: at once); undefined: not until the situation changes. */
export interface CheckpointDecision {
  readonly at: number | undefined;
  readonly reason: CheckpointReason;
}

type Due = { readonly at: number; readonly reason: "invite-deadline" | "entries" | "interval" };

function earliestDue(s: CheckpointSituation, policy: CheckpointPolicy, created: number): Due | undefined {
  const due: Due[] = [];
  // A checkpoint through a deadline closes the invite: through = at - settleMs >= deadline.
  for (const deadline of s.deadlines) if (s.lastThrough === undefined || deadline > s.lastThrough) due.push({ at: deadline + policy.settleMs, reason: "invite-deadline" });
  if (s.sinceCheckpoint >= policy.everyEntries) due.push({ at: s.now, reason: "entries" });
  if (s.sinceCheckpoint > 0) due.push({ at: (s.lastThrough === undefined ? created : s.lastThrough + policy.settleMs) + policy.everyMs, reason: "interval" });
  return due.sort((a, b) => a.at - b.at)[0];
}

export function decideCheckpoint(s: CheckpointSituation, policy: CheckpointPolicy = DEFAULT_CHECKPOINT_POLICY): CheckpointDecision {
  if (s.created === undefined) return { at: undefined, reason: "no-pool" };
  if (s.connectedSince === undefined) return { at: undefined, reason: "offline" };
  const due = earliestDue(s, policy, s.created);
  if (!due) return { at: undefined, reason: "idle" };
  const at = Math.max(
    s.now,
    due.at,
    s.connectedSince + policy.settleMs,
    s.lastWrite === undefined ? -Infinity : s.lastWrite + policy.minGapMs,
    // A new checkpoint must reach past the latest one.
    s.lastThrough === undefined ? -Infinity : s.lastThrough + policy.settleMs + 1,
  );
  return { at, reason: due.reason };
}
