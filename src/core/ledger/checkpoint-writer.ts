/**
 * Writing a checkpoint from a live ledger (ledger/README.md 8.6). A checkpoint is final: entries
 * dated into its window that it does not cover are refused on every node. So its `through` lags
 * the writer's clock by a settling time: entries written just before it that are still on their
 * way are not made late. Closing expired invites is one reason to write one (docs/capabilities.md).
 * `edgepool ledger checkpoint` writes one by hand; a node holding ledger/checkpoint also writes
 * them on its own (./auto-checkpoint.ts), both from the same draft.
 */
import { draftCheckpoint, type CheckpointDraft } from "./checkpoints.ts";
import type { Ledger } from "./ledger.ts";
import { appendOwn, type MembershipRefusal } from "./membership.ts";
import type { EntryId } from "./types.ts";
import { DEFAULT_SKEW_MS } from "./validate.ts";
import type { Author } from "./writer.ts";

/** How far `through` stays behind the writer's clock: as far as an honest clock may be ahead of it. */
export const CHECKPOINT_SETTLE_MS = DEFAULT_SKEW_MS;

export type CheckpointOutcome = { readonly ok: true; readonly id: EntryId; readonly through: number; readonly count: number };

export type CheckpointBody = { readonly ok: true; readonly body: CheckpointDraft["body"]; readonly through: number };

/**
 * The body of a checkpoint through `now - settleMs` over what `ledger` folded, or why there is none
 * to write. With `epoch`, the checkpoint also starts that epoch's document (ledger/README.md 9).
 */
export function checkpointBody(ledger: Ledger, now: number, settleMs = CHECKPOINT_SETTLE_MS, epoch?: number): CheckpointBody | MembershipRefusal {
  const state = ledger.state;
  if (!state.pool) return { ok: false, reason: "no-pool", message: `this node has no ledger for pool ${ledger.options.pool} yet` };
  const through = now - settleMs;
  const previous = state.checkpoint?.through;
  if (previous !== undefined && previous >= through) {
    return { ok: false, reason: "conflict", message: `the latest checkpoint already covers up to ${new Date(previous).toISOString()}; write the next one after ${new Date(previous + settleMs).toISOString()}` };
  }
  const { body } = draftCheckpoint(ledger.entries(), through, ledger.options.authoriser, ledger.options.base);
  return { ok: true, body: epoch === undefined ? body : { ...body, epoch }, through };
}

/** Writes a checkpoint through `now - settleMs` as `author` (who must hold ledger/checkpoint; the root does), starting `epoch` if given. */
export async function writeCheckpoint(ledger: Ledger, author: Author, now: number, proof: readonly string[] = [], settleMs = CHECKPOINT_SETTLE_MS, epoch?: number): Promise<CheckpointOutcome | MembershipRefusal> {
  const drafted = checkpointBody(ledger, now, settleMs, epoch);
  if (!drafted.ok) return drafted;
  const signed = await ledger.writerFor(author).write("checkpoint", drafted.body, now, proof);
  const appended = await appendOwn(ledger, signed);
  return appended.ok ? { ok: true, id: signed.id, through: drafted.through, count: drafted.body.count } : appended;
}
