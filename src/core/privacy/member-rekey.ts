/**
 * A member whose device holds another key-agreement key than the one it published (an identity
 * restored from a backup that did not carry the key, or site data cleared) publishes the one it
 * holds with `member.rekey` (ledger/README.md 6.4), sealed under the newest epoch key it holds.
 * Rotations from then on wrap for it. A lockbox already wrapped for the old key still does not open:
 * key discovery complains about it, and an admin's node re-grants to the published key
 * (rotation.ts `grantKey`), one epoch at a time.
 */
import { bytesToHex } from "../crypto/index.ts";
import { inOwnTurn } from "../ledger/own-turn.ts";
import type { AppendResult } from "../ledger/ledger.ts";
import type { PrivateLedger } from "./private-ledger.ts";
import type { Writer } from "./rotation.ts";

/** Whether this node's member is current, published another key than the one it holds, and can seal a rekey. */
export function rekeyDue(node: PrivateLedger): boolean {
  const { me } = node.options;
  const member = node.ledger.state.members[me.did];
  if (!member || member.revoked !== undefined || node.keyring.latest() === undefined) return false;
  return member.kex !== bytesToHex(me.kex.publicKey);
}

/** Publishes the key-agreement key this node holds, and seals it at once (not after the batch timer). */
export async function publishKex(node: PrivateLedger, writer: Writer): Promise<AppendResult> {
  const rekey = { kex: node.options.me.kex.publicKey };
  const written = await inOwnTurn(node.ledger, writer.author.did, () => node.ledger.write(writer.author, "member.rekey", rekey, writer.proof ? [writer.proof] : []));
  await node.flush();
  return written;
}
