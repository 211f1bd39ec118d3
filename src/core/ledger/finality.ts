/**
 * Finality (ledger/README.md 8.6, "Finality"): an accepted checkpoint is final. Its `frontier`
 * names, for each author of an entry it covers, the highest sequence number covered; an entry that
 * sorts in the checkpoint's window (after the previous accepted checkpoint, at or before this one)
 * with a higher number was not seen by the checkpoint's writer, so it arrived late (or was dated
 * back) and is refused (`before-checkpoint`). A node that started from the checkpoint cannot fold
 * such an entry at all; refusing it on full nodes too is what keeps both folds identical.
 */
import type { Entry, Rejection, SignedEntry } from "./types.ts";

/** Author DID -> highest covered sequence number. */
export type Frontier = Readonly<Record<string, number>>;

/** Whether a checkpoint's frontier covers `entry` (an author it does not list has nothing covered). */
export const covers = (checkpoint: Entry, entry: Entry): boolean => entry.seq <= ((checkpoint.body.frontier as Frontier)[entry.author] ?? 0);

/** Whether a checkpoint's frontier covers every entry of a window with frontier `window` (author -> highest sequence). */
export function coversFrontier(checkpoint: Entry, window: ReadonlyMap<string, number>): boolean {
  const covered = checkpoint.body.frontier as Frontier;
  for (const [author, seq] of window) if (seq > (covered[author] ?? 0)) return false;
  return true;
}

/** The first author on which two frontiers differ, described; undefined when they are equal. */
export function frontierDifference(claimed: Frontier, actual: Frontier): string | undefined {
  const authors = [...new Set([...Object.keys(claimed), ...Object.keys(actual)])].sort();
  for (const author of authors) {
    if (claimed[author] !== actual[author]) return `${author} is at ${claimed[author] ?? "none"} in the checkpoint, ${actual[author] ?? "none"} here`;
  }
  return undefined;
}

/** Why a late entry is refused: `covered` is the checkpoint's highest covered sequence of its author. */
export function lateRejection(checkpoint: { readonly id: string; readonly through: number }, { entry }: SignedEntry, covered: number | undefined): Rejection {
  return {
    reason: "before-checkpoint",
    message:
      `sorts at or before the through (${checkpoint.through}) of checkpoint ${checkpoint.id}, which covers ` +
      `${covered === undefined ? "no entry" : `sequence numbers up to ${covered}`} of ${entry.author} (this is ${entry.seq}): ` +
      "written after the checkpoint or dated back; write it again with a time after the checkpoint's through",
  };
}

/** `lateRejection` for an entry its checkpoint entry does not cover. */
export const uncoveredRejection = (checkpoint: SignedEntry, late: SignedEntry): Rejection =>
  lateRejection({ id: checkpoint.id, through: checkpoint.entry.body.through as number }, late, (checkpoint.entry.body.frontier as Frontier)[late.entry.author]);
