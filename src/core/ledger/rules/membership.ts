/**
 * Fold rules of the pool and its members: `pool.create` (genesis), `member.join`, `ucan.revoke`.
 * A rule checks everything first and mutates the state only when the entry is accepted.
 */
import type { Ability } from "../../capability/abilities.ts";
import { poolIdMatches } from "../../capability/pool.ts";
import { ALL_ABILITIES } from "../../capability/abilities.ts";
import { bytesToHex } from "../../crypto/index.ts";
import type { Did } from "../../identity/did-key.ts";
import { DEFAULT_PARAMS, epochOf, freshParams } from "../params.ts";
import { MAX_INT, type BodySchema } from "../schema.ts";
import type { LedgerState, PoolSettingsState } from "../state.ts";
import type { Entry, Rejection, SignedEntry } from "../types.ts";
import { rejection } from "./rejection.ts";

export const settingsSchema: BodySchema = {
  name: { type: "string", min: 1, max: 64 },
  replication: { type: "int", min: 1, max: 15 },
  rewardPerJob: { type: "int", min: 0, max: 1_000_000 },
  vestingSeconds: { type: "int", min: 0, max: 365 * 24 * 3600 },
  leaseSeconds: { type: "int", min: 10, max: 24 * 3600 },
};

export const poolCreateSchema: BodySchema = {
  nonce: { type: "bytes", min: 16, max: 16 },
  settings: { type: "map", fields: settingsSchema },
};

/** The pool id commits to its root and nonce, so only the root can write a matching genesis. */
export function checkPoolCreate(entry: Entry): string | undefined {
  if (entry.seq !== 1) return "pool.create must be its author's entry number 1 in the pool";
  return poolIdMatches(entry.pool, entry.author, entry.body.nonce as Uint8Array)
    ? undefined
    : "the pool id is not derived from this author and nonce";
}

export function applyPoolCreate(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  if (state.pool) return rejection("conflict", "the pool already has a pool.create entry");
  const settings = entry.body.settings as PoolSettingsState;
  state.pool = {
    id: entry.pool,
    root: entry.author,
    nonce: bytesToHex(entry.body.nonce as Uint8Array),
    created: entry.time,
    settings: {
      name: settings.name,
      replication: settings.replication,
      rewardPerJob: settings.rewardPerJob,
      vestingSeconds: settings.vestingSeconds,
      leaseSeconds: settings.leaseSeconds,
    },
  };
  state.members[entry.author] = { abilities: ["pool/admin"], by: entry.author, since: entry.time };
  state.params = freshParams(DEFAULT_PARAMS, epochOf(entry.time));
  return undefined;
}

export const memberJoinSchema: BodySchema = {
  member: { type: "did" },
  abilities: { type: "enum-list", values: ALL_ABILITIES },
  /** The invite redeemed (hex SHA-256 of the invite delegation), when joining through a link. */
  invite: { type: "string", min: 64, max: 64, optional: true },
};

export function applyMemberJoin(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  if (!state.pool) return rejection("unknown-reference", "member.join before the pool exists");
  const member = entry.body.member as Did;
  const existing = state.members[member];
  if (existing && existing.revoked === undefined) return rejection("conflict", `${member} is already a member`);
  const abilities = [...(entry.body.abilities as Ability[])].sort();
  state.members[member] = { abilities, by: entry.author, since: entry.time };
  if (typeof entry.body.invite === "string") state.members[member].invite = entry.body.invite;
  // A UCAN revocation may sort before the join it cuts (it applies from its `from` time).
  const revokedAt = Object.values(state.revocations).filter((r) => r.honoured && Object.hasOwn(r.honoured, member)).map((r) => r.time);
  if (revokedAt.length > 0) state.members[member].revoked = Math.min(...revokedAt);
  return undefined;
}

export const revokeSchema: BodySchema = {
  /** A UCAN's hash (revokes that delegation) or a member's DID (removes the member). */
  target: { type: "string", min: 1, max: 512 },
  /** UCAN revocations (issue 4): the revoked delegation itself, so any node can check the revoker. */
  token: { type: "string", min: 1, max: 12_000, optional: true },
  /** Per DID resting on the delegation: the highest sequence number that stays valid. */
  honoured: { type: "seq-map", max: 256, optional: true },
  /** The time (ms) the revocation applies from; it sorts there in the fold. */
  from: { type: "int", min: 0, max: MAX_INT, optional: true },
};

export function applyRevoke(state: LedgerState, { id, entry }: SignedEntry): Rejection | undefined {
  const target = entry.body.target as string;
  if (state.revocations[target]) return rejection("conflict", "already revoked");
  state.revocations[target] = { by: entry.author, time: entry.time, entry: id };
  const honoured = entry.body.honoured as Record<string, number> | undefined;
  if (honoured) state.revocations[target].honoured = { ...honoured };
  for (const did of [target, ...Object.keys(honoured ?? {})]) {
    const member = state.members[did];
    if (member && member.revoked === undefined) member.revoked = entry.time;
  }
  return undefined;
}
