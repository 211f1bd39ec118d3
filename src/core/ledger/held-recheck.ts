/**
 * Entries a ledger holds back (ledger/README.md 5: a time ahead of this node's clock by more than
 * the skew, or a proof token not here yet) are not invalid for ever. A token's arrival rechecks
 * them at once (ledger.ts); the clock's progress and a peer's return are noticed here: the node
 * checks them again every `everyMs` while any are held, and whenever a peer (re)connects, since a
 * node that was offline may have misjudged its clock or missed a token.
 */
import type { Repo } from "@automerge/automerge-repo";
import type { Ledger } from "./ledger.ts";

/** The part of the node's injected clock this needs (the scheduler's `TimerClock` is one). */
export interface Timer {
  setTimeout(callback: () => void, delayMs: number): { cancel(): void };
}

/** Half the default future skew: a held entry folds at most this long after it became acceptable. */
export const HELD_RECHECK_MS = 60_000;

export interface HeldRecheck {
  close(): void;
}

export function recheckHeldEntries(ledger: Ledger, repo: Repo, timer: Timer, everyMs = HELD_RECHECK_MS): HeldRecheck {
  let closed = false;
  const recheck = (): void => {
    if (!closed && ledger.view().deferred > 0) void ledger.recheck();
  };
  let pending = timer.setTimeout(function tick() {
    recheck();
    if (!closed) pending = timer.setTimeout(tick, everyMs);
  }, everyMs);
  const onPeer = (): void => recheck();
  repo.networkSubsystem.on("peer", onPeer);
  return {
    close() {
      closed = true;
      pending.cancel();
      repo.networkSubsystem.off("peer", onPeer);
    },
  };
}
