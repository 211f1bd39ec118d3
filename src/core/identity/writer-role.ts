/**
 * The writer role: on one device, one node at a time signs an identity's entries. The ledger takes
 * two different entries of one author with one sequence number for equivocation, a severe strike
 * that suspends the author and forfeits its stake and unvested credits (ledger/README.md 7, 8.7).
 * Within a process every own write waits its turn (ledger/own-turn.ts); across processes and tabs
 * nothing else would stop two nodes of one identity from each signing the next `seq`. So a node
 * that writes first claims this role (a lock file in Node, writer-lock-node.ts; a Web Lock in the
 * browser, writer-lock-browser.ts) and holds it until it has closed; a node that cannot only reads.
 * Sequence numbers count per pool, so Node scopes the role to the pool (a worker in one pool and a
 * submit to another never collide); a browser tab runs one pool's node at a time, and its role
 * covers the identity.
 */

/** Who holds the role, as far as the holder said (a Web Lock names nobody). */
export interface WriterHolder {
  /** The holding process (Node). */
  readonly pid?: number;
  /** When it took the role, ms since the epoch. */
  readonly since?: number;
  /** What it runs, e.g. "work". */
  readonly command?: string;
}

/** The role, held: release it only once the node that wrote has closed (its last entry saved). */
export interface HeldWriterRole {
  readonly holder: WriterHolder;
  release(): Promise<void>;
}

export type WriterRoleRefusal =
  /** Another live process or tab holds the role. */
  | { readonly ok: false; readonly reason: "held"; readonly holder: WriterHolder; readonly message: string }
  /** The platform cannot tell (no Web Locks, an unreadable lock file): writing is not safe. */
  | { readonly ok: false; readonly reason: "unavailable"; readonly message: string };

export type WriterClaim =
  | {
      readonly ok: true;
      readonly role: HeldWriterRole;
      /** Set when a stale claim (its process gone) was taken over. */
      readonly tookOver?: WriterHolder;
    }
  | WriterRoleRefusal;

/** "pid 4242, `edgepool work`, since 14:02:07Z": the holder in words, for messages. */
export function describeHolder(holder: WriterHolder): string {
  const parts = [
    ...(holder.pid !== undefined ? [`pid ${holder.pid}`] : []),
    ...(holder.command !== undefined ? [`\`edgepool ${holder.command}\``] : []),
    ...(holder.since !== undefined ? [`since ${new Date(holder.since).toISOString().slice(0, 19)}Z`] : []),
  ];
  return parts.length > 0 ? parts.join(", ") : "another tab or process";
}
