/**
 * The sync status a person sees (UX.md 10): Offline / Looking for peers / Syncing / Up to date
 * with k peers, plus how many changes are saved only on this device. "Up to date" needs a peer
 * that acknowledged this node's heads (its storage holds them); a change counts as saved
 * elsewhere once any peer acknowledged heads that include it, in this session or an earlier one
 * (the caller keeps `acknowledged`, Automerge change hashes, across restarts, e.g. in localStorage).
 */
import * as A from "@automerge/automerge";
import { decodeHeads, type DocHandle, type PeerMetadata, type StorageId } from "@automerge/automerge-repo";

export type SyncStatus =
  | { readonly status: "offline" }
  | { readonly status: "looking" }
  | { readonly status: "syncing" }
  | { readonly status: "up-to-date"; readonly peers: number; readonly at: number };

export interface SyncReading {
  readonly sync: SyncStatus;
  /** Changes no peer has acknowledged: lost if this device's storage is. */
  readonly onlyHere: number;
  /** Heads that peers acknowledged so far; keep them and pass them to the next reading. */
  readonly acknowledged: readonly string[];
}

export interface SyncInput {
  readonly online: boolean;
  readonly handle: DocHandle<unknown>;
  /** The repo's peers (`repo.peerMetadataByPeerId`). */
  readonly peers: ReadonlyArray<PeerMetadata | undefined>;
  readonly acknowledged: readonly string[];
  readonly now: number;
}

/** How many head hashes to keep; dropping some only makes the count of changes kept here larger, never smaller. */
const MAX_ACKNOWLEDGED = 32;

/** An Automerge change hash: SHA-256, hex (hasHeads throws on anything else). */
const CHANGE_HASH = /^[0-9a-f]{64}$/;

const sameHeads = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((h) => b.includes(h));

/** Changes of `doc` that are not in the history of any of `acknowledged` (hashes `doc` does not know are ignored). */
export function changesOnlyHere(doc: A.Doc<unknown>, acknowledged: readonly string[]): { count: number; known: string[] } {
  const known = [...new Set(acknowledged)].filter((h) => CHANGE_HASH.test(h) && A.hasHeads(doc, [h]));
  return { count: A.getChangesMetaSince(doc, known).length, known };
}

export function readSync(input: SyncInput): SyncReading {
  const doc = input.handle.doc();
  const heads = A.getHeads(doc);
  // Only peers with storage acknowledge: an ephemeral peer (another tab, a passer-by) keeps nothing.
  const storing = input.peers.filter((m): m is PeerMetadata & { storageId: StorageId } => m?.storageId !== undefined && !m.isEphemeral);
  const peerHeads = storing.map((m) => {
    const info = input.handle.getSyncInfo(m.storageId);
    return info ? decodeHeads(info.lastHeads) : [];
  });
  const full = peerHeads.filter((h) => sameHeads(h, heads)).length;
  // A peer that holds everything makes every earlier acknowledgement redundant.
  const candidates = full > 0 ? [...heads] : [...peerHeads.flat(), ...input.acknowledged];
  const { count, known } = changesOnlyHere(doc, candidates);
  const acknowledged = known.slice(0, MAX_ACKNOWLEDGED);
  const sync: SyncStatus = !input.online
    ? { status: "offline" }
    : storing.length === 0
      ? { status: "looking" }
      : full === 0
        ? { status: "syncing" }
        : { status: "up-to-date", peers: full, at: input.now };
  return { sync, onlyHere: count, acknowledged };
}
