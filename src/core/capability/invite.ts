/**
 * Invite links. The link carries a delegation from the inviter to a fresh, one-time invite key,
 * and that key's secret, all inside the URL fragment (`https://host/#/join/<payload>`): browsers
 * never send the fragment to a server, so a relay or web server that sees the URL learns nothing
 * that lets it join. Redeeming the link signs, with the invite key, a delegation to the joiner's
 * DID; the joiner records it in a `member.join` entry. How many joins a link allows is counted by
 * the ledger fold (member.join entries per invite), which this module cannot see.
 */
import { base64url } from "multiformats/bases/base64";
import { fromUtf8, generateSeed, seedSigningKey, utf8, type SigningKey } from "../crypto/index.ts";
import { didFromPublicKey, type Did } from "../identity/did-key.ts";
import { expandAbilities, isAbility, type Ability } from "./abilities.ts";
import { isoTime, tokenHash, type TokenHash } from "./chain.ts";
import { delegate, INVITE_FACT, type InviteTerms } from "./issue.ts";
import { parsePoolId, type PoolId } from "./pool.ts";
import { refuse, type Refusal } from "./refusal.ts";
import { decodeToken } from "./token.ts";

const LINK_VERSION = 1;
const FRAGMENT_PREFIX = "#/join/";
const MAX_LINK_LENGTH = 48 * 1024;

export interface InviteLink {
  readonly pool: PoolId;
  /** The delegation from the inviter to the invite key. */
  readonly token: string;
  /** The invite key's Ed25519 seed. */
  readonly key: Uint8Array;
  /** A relay (ws:// or wss://) the pool syncs through, when the inviter names one. */
  readonly relay: string | undefined;
  /**
   * The pool's name as the inviter's node had it: a hint to show before the pool's ledger arrives,
   * never trusted (anyone can write any name into a link); the validated pool.create has the name.
   */
  readonly nameHint: string | undefined;
  /** Set for a private pool: where the lockbox for the invite key waits (privacy/private-invite.ts). */
  readonly sealed: SealedInvitePointer | undefined;
}

/**
 * In a private pool's link: the key epoch whose document holds, in its mailbox under `mailbox`,
 * that epoch's key wrapped for the invite key. Whoever holds the link may read the pool (it may
 * join it), so naming the epoch's document here gives nothing away.
 */
export interface SealedInvitePointer {
  /** The epoch document's id (an automerge-repo DocumentId). */
  readonly document: string;
  readonly epoch: number;
  /** Hex SHA-256 of the mailbox item. */
  readonly mailbox: string;
}

export interface CreateInviteRequest {
  readonly inviter: SigningKey;
  /** The inviter's own delegation (absent when the inviter is the pool root). */
  readonly inviterProof: string | undefined;
  /** What the inviter holds (from `PoolAuthority.authorise`); the root holds everything. */
  readonly inviterHolds: ReadonlySet<Ability>;
  readonly pool: PoolId;
  readonly abilities: readonly Ability[];
  readonly uses: number;
  /** Seconds: the link cannot be redeemed after this. */
  readonly joinBefore: number;
  /** Seconds: when the membership it grants ends (capped at the inviter's own expiry). */
  readonly memberExpiration: number;
  /** The app's URL; the link is this URL with the invite in its fragment. */
  readonly appUrl: string;
  readonly relay?: string;
  /** The pool's name, carried as an untrusted hint (`InviteLink.nameHint`). */
  readonly poolName?: string;
  /** The invite key's seed, when the caller needs it first (a private pool wraps its key for it); else a fresh one. */
  readonly seed?: Uint8Array;
  readonly sealed?: SealedInvitePointer;
}

/** As long as a pool.create name may be (ledger/README.md). */
const MAX_NAME_HINT = 64;

export type CreateInviteResult = { ok: true; link: string; invite: TokenHash; expiration: number } | Refusal;

export async function createInvite(request: CreateInviteRequest): Promise<CreateInviteResult> {
  const holds = expandAbilities(request.inviterHolds);
  if (!holds.has("member/invite")) return refuse("escalation", "you cannot invite: you do not hold member/invite in this pool; ask an admin");
  const missing = request.abilities.filter((a) => !holds.has(a));
  if (missing.length > 0) return refuse("escalation", `you cannot grant ${missing.join(", ")}: you do not hold ${missing.length > 1 ? "them" : "it"} yourself`);
  if (!Number.isSafeInteger(request.uses) || request.uses < 1) throw new RangeError(`invite uses must be a whole number >= 1, got ${request.uses}`);
  const proofExpiration = request.inviterProof === undefined ? Infinity : decodedExpiration(request.inviterProof);
  const expiration = Math.min(request.memberExpiration, proofExpiration);
  const seed = request.seed ?? generateSeed();
  const token = await delegate({
    issuer: request.inviter,
    audience: didFromPublicKey(seedSigningKey(seed).publicKey),
    pool: request.pool,
    abilities: request.abilities,
    expiration,
    proof: request.inviterProof,
    invite: { uses: request.uses, joinBefore: Math.min(request.joinBefore, expiration) },
  });
  const payload = { v: LINK_VERSION, pool: request.pool, token, key: base64url.baseEncode(seed), ...(request.relay ? { relay: request.relay } : {}), ...(request.poolName ? { name: request.poolName.slice(0, MAX_NAME_HINT) } : {}), ...(request.sealed ? { sealed: request.sealed } : {}) };
  const link = new URL(request.appUrl);
  link.hash = FRAGMENT_PREFIX.slice(1) + base64url.baseEncode(utf8(JSON.stringify(payload)));
  return { ok: true, link: link.toString(), invite: tokenHash(token), expiration };
}

function decodedExpiration(proof: string): number {
  const decoded = decodeToken(proof);
  if (!decoded.ok) throw new TypeError(`the inviter's own delegation does not decode: ${decoded.message}`);
  return decoded.token.exp;
}

export type ParseLinkResult = { ok: true; invite: InviteLink } | Refusal;

const badLink = (what: string): Refusal => refuse("malformed", `this is not an EdgePool invite link (${what}); ask for the link again, copied whole`);

/** Parses a link (or just its fragment); never throws on hostile input. */
export function parseInviteLink(text: unknown): ParseLinkResult {
  if (typeof text !== "string" || text.length > MAX_LINK_LENGTH) return badLink("too long or not text");
  const at = text.indexOf(FRAGMENT_PREFIX);
  if (at < 0) return badLink("no #/join/ part");
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(fromUtf8(base64url.baseDecode(text.slice(at + FRAGMENT_PREFIX.length).trim())));
  } catch {
    return badLink("its invite part does not decode");
  }
  if (typeof payload !== "object" || payload === null || payload.v !== LINK_VERSION) return badLink("unknown version");
  const pool = parsePoolId(payload.pool);
  if (!pool.ok) return badLink("no pool id");
  if (typeof payload.token !== "string" || typeof payload.key !== "string") return badLink("no delegation or key");
  if (payload.relay !== undefined && (typeof payload.relay !== "string" || !/^wss?:\/\/\S+$/.test(payload.relay))) return badLink("bad relay URL");
  if (payload.name !== undefined && (typeof payload.name !== "string" || payload.name.length === 0 || payload.name.length > MAX_NAME_HINT)) return badLink("bad pool name");
  let key: Uint8Array;
  try {
    key = base64url.baseDecode(payload.key);
  } catch {
    return badLink("bad key");
  }
  if (key.length !== 32) return badLink("bad key length");
  const sealed = payload.sealed === undefined ? undefined : sealedPointer(payload.sealed);
  if (sealed === null) return badLink("bad private-pool part");
  return { ok: true, invite: { pool: pool.pool, token: payload.token, key, relay: payload.relay as string | undefined, nameHint: payload.name as string | undefined, sealed } };
}

/** The private-pool part of a link, checked; null when it is malformed. */
function sealedPointer(value: unknown): SealedInvitePointer | null {
  if (typeof value !== "object" || value === null) return null;
  const { document, epoch, mailbox } = value as Record<string, unknown>;
  if (typeof document !== "string" || !/^[1-9A-HJ-NP-Za-km-z]{20,40}$/.test(document)) return null;
  if (!Number.isSafeInteger(epoch) || (epoch as number) < 0) return null;
  if (typeof mailbox !== "string" || !/^[0-9a-f]{64}$/.test(mailbox)) return null;
  return { document, epoch: epoch as number, mailbox };
}

export interface Redemption {
  readonly pool: PoolId;
  /** The delegation from the invite key to the joiner: the proof of the joiner's member.join. */
  readonly proof: string;
  readonly invite: TokenHash;
  readonly inviter: Did;
  readonly abilities: readonly Ability[];
  readonly terms: InviteTerms;
  readonly expiration: number;
}

export type RedeemResult = { ok: true; redemption: Redemption } | Refusal;

/**
 * Delegates from the invite key to the joiner. Checks what the link alone can tell (shape, key,
 * join deadline); whether it is used up or revoked is for the ledger, which the caller consults.
 */
export async function redeemInvite(invite: InviteLink, joiner: Did, now: number): Promise<RedeemResult> {
  const decoded = decodeToken(invite.token);
  if (!decoded.ok) return badLink(decoded.message);
  const token = decoded.token;
  const key = seedSigningKey(invite.key);
  if (didFromPublicKey(key.publicKey) !== token.aud) return badLink("its key does not match its delegation");
  const fact = token.fct.find((f) => Object.hasOwn(f, INVITE_FACT))?.[INVITE_FACT] as InviteTerms | undefined;
  if (!fact || !Number.isSafeInteger(fact.joinBefore) || !Number.isSafeInteger(fact.uses)) return badLink("no invite terms");
  if (now > fact.joinBefore || now >= token.exp) {
    return refuse("invite-expired", `this invite link expired at ${isoTime(Math.min(fact.joinBefore, token.exp))}; ask ${token.iss} (who invited you) for a new link`);
  }
  const abilities = token.att.map((c) => c.can).filter(isAbility);
  const proof = await delegate({ issuer: key, audience: joiner, pool: invite.pool, abilities, expiration: token.exp, proof: invite.token });
  return { ok: true, redemption: { pool: invite.pool, proof, invite: tokenHash(invite.token), inviter: token.iss, abilities, terms: fact, expiration: token.exp } };
}

/** Why a join was refused once the ledger counted uses or found a revocation: which, and what to do. */
export const inviteUsedUp = (uses: number, inviter: Did): Refusal =>
  refuse("invite-used-up", `this invite link has already been used ${uses} time${uses === 1 ? "" : "s"}, its limit; ask ${inviter} (who invited you) for a new link`);

export const inviteRevoked = (inviter: Did): Refusal =>
  refuse("revoked", `this invite link was revoked; ask ${inviter} (who invited you) for a new link`);
