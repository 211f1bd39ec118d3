/**
 * Which current members have not yet shown that they hold a private pool's latest key (issue 13:
 * the app lists them, so an admin knows who still reads under the old key). There is no receipt
 * for a lockbox, so the evidence is what a node can see for itself: the rotation's author made the
 * key, this node holds it, and any member who wrote an entry sealed under it held it. A member who
 * has written nothing since the rotation is listed, though it may hold the key already.
 */
import type { Did } from "../identity/did-key.ts";
import type { PrivateLedger } from "./private-ledger.ts";

export interface KeyHolding {
  /** The latest key epoch (undefined: the pool is not private on this node yet). */
  readonly epoch: number | undefined;
  /** Active members with no sign of holding that epoch's key, sorted. */
  readonly notYetSeen: readonly Did[];
}

export function latestKeyHolding(node: PrivateLedger): KeyHolding {
  const state = node.ledger.state;
  const privacy = state.privacy;
  const latest = privacy?.epochs[privacy.epoch];
  if (!privacy || !latest) return { epoch: undefined, notYetSeen: [] };
  const holders = new Set<string>([latest.by]);
  if (node.keyring.byId(latest.keyId)) holders.add(node.options.me.did);
  for (const { id, entry } of node.ledger.entries()) {
    if (!holders.has(entry.author) && node.keyIdOf(id) === latest.keyId) holders.add(entry.author);
  }
  const notYetSeen = Object.entries(state.members)
    .filter(([did, member]) => member.revoked === undefined && !holders.has(did))
    .map(([did]) => did as Did)
    .sort();
  return { epoch: privacy.epoch, notYetSeen };
}
