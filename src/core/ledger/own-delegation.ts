import type { Did } from "../identity/did-key.ts";
import type { Ledger } from "./ledger.ts";

export type OwnDelegation =
  | { ok: true; proof: string | undefined }
  | { ok: false; reason: "no-pool" | "not-a-member" };

/**
 * The delegation (token) a member writes its entries with: none for the pool root, else the proof of its
 * own member.join that this node accepted (a refused join proves nothing).
 */
export function ownDelegation(ledger: Ledger, me: Did): OwnDelegation {
  const pool = ledger.state.pool;
  if (!pool) return { ok: false, reason: "no-pool" };
  if (pool.root === me) return { ok: true, proof: undefined };
  const refused = new Set(ledger.view().invalid.map((i) => i.key));
  const join = ledger.entries().find((e) => e.entry.kind === "member.join" && e.entry.author === me && !refused.has(e.id));
  // The join names the delegation by CID; an accepted join's token is in the ledger's book.
  const proof = join?.entry.proof[0] === undefined ? undefined : ledger.token(join.entry.proof[0]);
  return proof !== undefined ? { ok: true, proof } : { ok: false, reason: "not-a-member" };
}
