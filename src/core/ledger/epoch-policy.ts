/**
 * When a checkpoint writer also starts the next epoch document (ledger/README.md 9): a pure
 * decision with its reason, like ./checkpoint-policy.ts. Every node loads the whole current epoch
 * document at start-up (Automerge cannot load part of one), so a document that only grows makes
 * every cold start and every sync of a new member grow with history. Starting an epoch costs each
 * node one move (the entries after the checkpoint are written again) and leaves the old document
 * for audit, so it is worth it only once the current one holds many entries or bytes.
 */
import type { Ledger } from "./ledger.ts";

export interface EpochPolicy {
  /** Start the next epoch with a checkpoint once the current one holds this many entries. */
  readonly epochEntries: number;
  /** ... or this many bytes of entries. */
  readonly epochBytes: number;
}

export const DEFAULT_EPOCH_POLICY: EpochPolicy = { epochEntries: 20_000, epochBytes: 8 * 1024 * 1024 };

export interface EpochSituation {
  /** The pool's epoch as the fold knows it (the latest accepted checkpoint's `epoch`, else 0). */
  readonly epoch: number;
  /** The entries of the current epoch (sorting after the checkpoint it started from), and their bytes. */
  readonly entries: number;
  readonly bytes: number;
}

export type EpochDecision = { readonly start: true; readonly epoch: number; readonly reason: "entries" | "bytes" } | { readonly start: false; readonly reason: "small" };

export function decideEpoch(s: EpochSituation, policy: EpochPolicy = DEFAULT_EPOCH_POLICY): EpochDecision {
  if (s.entries >= policy.epochEntries) return { start: true, epoch: s.epoch + 1, reason: "entries" };
  if (s.bytes >= policy.epochBytes) return { start: true, epoch: s.epoch + 1, reason: "bytes" };
  return { start: false, reason: "small" };
}

/** The situation of `ledger`'s node: the fold's epoch and the entries it holds in the current epoch. */
export function epochSituation(ledger: Ledger): EpochSituation {
  const entries = ledger.epochEntries();
  return { epoch: ledger.state.checkpoint?.epoch ?? 0, entries: entries.length, bytes: entries.reduce((sum, s) => sum + s.bytes.length, 0) };
}
