/**
 * Every node follows its pool to the next epoch document without a restart (ledger/README.md 9).
 * The pointer is a signed checkpoint whose body names the next epoch: once this node's fold
 * accepts one (so it was written by a holder of ledger/checkpoint and matches what the node
 * folded), the node builds that epoch's document from its own fold (the same bytes on every node,
 * epochs.ts startNextEpoch) and moves its ledger there (Ledger.moveTo). It needs nobody online:
 * a node that was offline during the switch moves as soon as the checkpoint reaches it.
 */
import { startNextEpoch } from "./epochs.ts";
import type { Ledger } from "./ledger.ts";
import type { CheckpointState } from "./state.ts";
import type { EntryId } from "./types.ts";

export interface EpochFollowOptions {
  readonly ledger: Ledger;
}

export interface EpochStatus {
  /** The epoch this node writes to. */
  readonly epoch: number;
  /** An epoch the pool has started that this node is still moving to. */
  readonly pending: number | undefined;
  readonly lastRefusal: string | undefined;
}

export interface EpochFollower {
  status(): EpochStatus;
  close(): void;
}

export function followEpochs({ ledger }: EpochFollowOptions): EpochFollower {
  let lastRefusal: string | undefined;
  let busy = false;
  let closed = false;

  const target = (): CheckpointState | undefined => {
    const checkpoint = ledger.state.checkpoint;
    return checkpoint && (checkpoint.epoch ?? 0) > ledger.epoch ? checkpoint : undefined;
  };

  // A refused move is tried again at the ledger's next change (a later checkpoint, or the entries
  // that make this node's fold agree).
  const look = (): void => {
    const checkpoint = target();
    if (closed || busy || !checkpoint) return;
    busy = true;
    startNextEpoch(ledger, checkpoint.id as EntryId)
      .then(
        (started) => {
          lastRefusal = started.ok ? undefined : `${started.reason}: ${started.message}`;
        },
        (error: unknown) => {
          lastRefusal = `error: ${(error as Error).message}`;
        },
      )
      .finally(() => {
        busy = false;
      });
  };

  const unsubscribe = ledger.subscribe(look);
  look();
  return {
    status: () => ({ epoch: ledger.epoch, pending: target()?.epoch, lastRefusal }),
    close() {
      closed = true;
      unsubscribe();
    },
  };
}
