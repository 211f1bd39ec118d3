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
import type { LedgerState, MemberState, PoolSettingsState } from "../state.ts";
import type { Entry, Rejection, SignedEntry } from "../types.ts";
import { rejection } from "./rejection.ts";
import { MAX_STAMP_BITS } from "../../capability/join-stamp.ts";
import { joinTokenIssuer } from "../../capability/join-token.ts";
import { admitStranger, countMembers, isOpenJoin } from "../open-admission.ts";
import { dictionary } from "../state.ts";
import { setMember } from "../auditors.ts";

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
  /** Present when the pool admits strangers (issue 12); issuers come in `pool.issuer` entries. */
  open: { type: "map", optional: true, fields: { stampBits: { type: "int", min: 0, max: MAX_STAMP_BITS } } },
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
  const open = entry.body.open as { stampBits: number } | undefined;
  if (open) state.pool.open = { stampBits: open.stampBits, issuers: dictionary(), spentTokens: dictionary(), admitted: dictionary(), members: 1 };
  setMember(state, entry.author, { abilities: ["pool/admin"], by: entry.author, since: entry.time });
  state.params = freshParams(DEFAULT_PARAMS, epochOf(entry.time));
  return undefined;
}

export const memberJoinSchema: BodySchema = {
  member: { type: "did" },
  abilities: { type: "enum-list", values: ALL_ABILITIES },
  /** The invite redeemed (hex SHA-256 of the invite delegation), when joining through a link. */
  invite: { type: "string", min: 64, max: 64, optional: true },
  /** Private pools: the joiner's X25519 key-agreement key, signed with the join (rules/privacy.ts). */
  kex: { type: "bytes", min: 32, max: 32, optional: true },
  /** Open pools: a proof-of-work stamp paid for this join (capability/join-stamp.ts). */
  stamp: { type: "map", optional: true, fields: { epoch: { type: "int", min: 0, max: MAX_INT }, nonce: { type: "string", min: 16, max: 16 } } },
  /** Open pools: a Privacy Pass type-2 token paid for this join (capability/join-token.ts). */
  token: { type: "bytes", min: 354, max: 610, optional: true },
};

export function checkMemberJoin(entry: Entry): string | undefined {
  const paid = [entry.body.stamp, entry.body.token, entry.body.invite].filter((v) => v !== undefined).length;
  return paid > 1 ? "a member.join redeems an invite, a stamp or a token, not several" : undefined;
}

export function applyMemberJoin(state: LedgerState, { id, entry }: SignedEntry): Rejection | undefined {
  if (!state.pool) return rejection("unknown-reference", "member.join before the pool exists");
  const member = entry.body.member as Did;
  const existing = state.members[member];
  if (existing && existing.revoked === undefined) return rejection("conflict", `${member} is already a member`);
  const abilities = [...(entry.body.abilities as Ability[])].sort();
  const record: MemberState = { abilities, by: entry.author, since: entry.time };
  setMember(state, member, record);
  countMembers(state, 1);
  if (isOpenJoin(entry)) {
    record.since = admitStranger(state, entry, id);
    record.admission = entry.body.stamp !== undefined ? "stamp" : "token";
  }
  if (typeof entry.body.invite === "string") record.invite = entry.body.invite;
  if (entry.body.kex instanceof Uint8Array) record.kex = bytesToHex(entry.body.kex);
  // A UCAN revocation may sort before the join it cuts (it applies from its `from` time).
  const revokedAt = Object.values(state.revocations).filter((r) => r.honoured && Object.hasOwn(r.honoured, member)).map((r) => r.time);
  if (revokedAt.length > 0) {
    record.revoked = Math.min(...revokedAt);
    countMembers(state, -1);
  }
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
    if (member && member.revoked === undefined) {
      member.revoked = entry.time;
      countMembers(state, -1);
    }
  }
  return undefined;
}

export const poolIssuerSchema: BodySchema = {
  /** Where joiners fetch tokens; its host is the issuer name their challenge names. */
  url: { type: "string", min: 1, max: 256 },
  /** The issuer's RSA key as DER SubjectPublicKeyInfo (RFC 9578 publishes it with the RSASSA-PSS OID). */
  key: { type: "bytes", min: 200, max: 600 },
};

export function checkPoolIssuer(entry: Entry): string | undefined {
  let url: URL;
  try {
    url = new URL(entry.body.url as string);
  } catch {
    return "url must be an absolute http(s) URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "url must be an absolute http(s) URL";
  const issuer = joinTokenIssuer(url.host, entry.body.key as Uint8Array);
  return issuer.ok ? undefined : issuer.message;
}

/** Lists a token issuer for an open pool; the issuers record is replaced, so caches keyed by it stay right. */
export function applyPoolIssuer(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  const open = state.pool?.open;
  if (!open) return rejection("conflict", "only an open pool lists token issuers");
  const issuer = joinTokenIssuer(new URL(entry.body.url as string).host, entry.body.key as Uint8Array);
  if (!issuer.ok) return rejection("conflict", issuer.message);
  if (Object.hasOwn(open.issuers, issuer.issuer.keyId)) return rejection("conflict", "this issuer key is already listed");
  open.issuers = Object.assign(dictionary<{ url: string; key: string }>(), open.issuers, { [issuer.issuer.keyId]: { url: entry.body.url as string, key: bytesToHex(entry.body.key as Uint8Array) } });
  return undefined;
}
