/**
 * The deadlines of the invites created on this node, kept in the node's own storage so that the
 * node's checkpoint writer (./auto-checkpoint.ts) closes each invite soon after its deadline. The
 * CLI's `edgepool invite` and a running `edgepool work` in the same home share the storage, as do
 * the app's Pools screen and its node. Invites created elsewhere (by a member holding
 * member/invite) close with the next periodic checkpoint instead.
 */
import type { StorageAdapterInterface } from "@automerge/automerge-repo";
import { fromUtf8, utf8 } from "../crypto/index.ts";
import type { PoolId } from "./types.ts";

const NAMESPACE = "edgepool-invite-deadlines";

/** Records that an invite of `pool` (by its hash) can be redeemed until `joinBefore` (seconds). */
export async function recordInviteDeadline(storage: StorageAdapterInterface, pool: PoolId, invite: string, joinBefore: number): Promise<void> {
  await storage.save([NAMESPACE, pool, invite], utf8(String(joinBefore)));
}

/** The recorded deadlines of `pool`'s invites, in ms, ascending (unreadable records are skipped). */
export async function inviteDeadlines(storage: StorageAdapterInterface, pool: PoolId): Promise<number[]> {
  const chunks = await storage.loadRange([NAMESPACE, pool]);
  const deadlines: number[] = [];
  for (const { key, data } of chunks) {
    const seconds = data && key[1] === pool ? Number(fromUtf8(data)) : NaN;
    if (Number.isSafeInteger(seconds) && seconds >= 0) deadlines.push(seconds * 1000);
  }
  return deadlines.sort((a, b) => a - b);
}
