/**
 * A pool with members in one go: the `pool.create` entry and each member's own `member.join`,
 * carrying a real UCAN chain (root, or an inviting member -> one-time invite key -> member), the
 * delegations `edgepool invite` and `edgepool join` sign. For tests, vectors, benchmarks and the
 * simulator, which need a populated pool without going through invite links.
 */
import type { Ability } from "../capability/abilities.ts";
import { tokenHash } from "../capability/chain.ts";
import { delegate } from "../capability/issue.ts";
import { randomBytes, seedSigningKey } from "../crypto/index.ts";
import { didFromPublicKey, type Did } from "../identity/did-key.ts";
import type { PoolSettingsState } from "./state.ts";
import type { PoolId, SignedEntry } from "./types.ts";
import { createPool, EntryWriter, type Author } from "./writer.ts";

export interface NewMember {
  readonly identity: Author;
  readonly abilities: readonly Ability[];
  /** Who invites it: the root (default) or a member listed before it that holds member/invite. */
  readonly invitedBy?: Did;
  /** When its member.join is written (ms; default the pool's creation time + 1). */
  readonly time?: number;
  /** Private pools: the member's X25519 key-agreement key, published in its member.join. */
  readonly kex?: Uint8Array;
}

export interface PoolWithMembersRequest {
  readonly root: Author;
  readonly settings: PoolSettingsState;
  readonly nonce: Uint8Array;
  /** The pool.create entry's time (ms). */
  readonly time: number;
  readonly members: readonly NewMember[];
  /** Makes the pool open to strangers (issue 12) with this stamp difficulty. */
  readonly open?: { readonly stampBits: number };
  /** When memberships end (seconds; default ten years after `time`). */
  readonly expiration?: number;
  /** Bytes for invite keys and token nonces (default: secure randomness; fixed bytes make every entry reproducible). */
  readonly random?: (length: number) => Uint8Array;
}

export interface PoolWithMembers {
  readonly pool: PoolId;
  readonly genesis: SignedEntry;
  /** pool.create, then each member's join in the order given. */
  readonly entries: readonly SignedEntry[];
  /** Per author (the root included): its writer, numbering after its join and attaching its delegation. */
  readonly writers: ReadonlyMap<Did, EntryWriter>;
  /** Each member's delegation (the proof its entries carry). */
  readonly proofs: ReadonlyMap<Did, string>;
}

const TEN_YEARS_S = 10 * 365 * 86_400;

export async function createPoolWithMembers(request: PoolWithMembersRequest): Promise<PoolWithMembers> {
  const random = request.random ?? randomBytes;
  const { pool, entry: genesis, writer } = await createPool(request.root, request.settings, request.nonce, request.time, request.open);
  const expiration = request.expiration ?? Math.floor(request.time / 1000) + TEN_YEARS_S;
  const writers = new Map<Did, EntryWriter>([[request.root.did, writer]]);
  const proofs = new Map<Did, string>();
  const entries = [genesis];
  for (const member of request.members) {
    const inviter = writers.get(member.invitedBy ?? request.root.did);
    if (!inviter) throw new TypeError(`${member.invitedBy} must be listed before the members it invites`);
    if (writers.has(member.identity.did)) throw new TypeError(`${member.identity.did} is listed twice (or is the root)`);
    const time = member.time ?? request.time + 1;
    // The invite link's delegation (to a one-time key, one use), then the key's to the joiner.
    const key = seedSigningKey(random(32));
    const invite = await delegate({
      issuer: inviter.author.signingKey,
      audience: didFromPublicKey(key.publicKey),
      pool,
      abilities: member.abilities,
      expiration,
      proof: inviter.proof[0],
      invite: { uses: 1, joinBefore: Math.floor(time / 1000) + 1 },
      nonce: random(12),
    });
    const proof = await delegate({ issuer: key, audience: member.identity.did, pool, abilities: member.abilities, expiration, proof: invite, nonce: random(12) });
    const own = new EntryWriter(member.identity, pool, 0, [proof]);
    const body = { member: member.identity.did, abilities: [...member.abilities], invite: tokenHash(invite), ...(member.kex ? { kex: member.kex } : {}) };
    entries.push(await own.write("member.join", body, time));
    writers.set(member.identity.did, own);
    proofs.set(member.identity.did, proof);
  }
  return { pool, genesis, entries, writers, proofs };
}
