/**
 * Keeps a Node process that runs automerge-repo alive when a peer withholds a document.
 *
 * automerge-repo 2.5 starts a document's sync with a newly connected peer by waiting for the
 * document to load whenever another peer has said it holds it (`DocSynchronizer.beginSync`), and
 * nothing awaits that wait. A peer that announces a document and never sends it makes the wait
 * time out after 60 s as an unhandled rejection, which ends a Node process: two silent WebSocket
 * connections stopped our relay that way (docs/NOTES.md, session 6; the same crash is
 * automerge-repo-sync-server issue 15). Nothing else depends on that wait: the new peer's sync of
 * the document starts when either side next sends, so the timeout is logged and the process runs
 * on. Every other unhandled rejection still ends the process, as Node's default does.
 */
import { TimeoutError } from "@automerge/automerge-repo/helpers/withTimeout.js";

let installed = false;

/** Whether an unhandled rejection is automerge-repo's own document wait running out of time. */
export const isSyncWaitTimeout = (reason: unknown): boolean => reason instanceof TimeoutError;

/** Installs the process-wide handler once; later calls do nothing. */
export function surviveSyncWaitTimeouts(log: (line: string) => void): void {
  if (installed) return;
  installed = true;
  process.on("unhandledRejection", (reason) => {
    if (!isSyncWaitTimeout(reason)) throw reason;
    log(`sync: a peer announced a document and did not send it within automerge-repo's wait (${(reason as Error).message}); still running`);
  });
}
