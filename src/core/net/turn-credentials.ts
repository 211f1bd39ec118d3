/**
 * Short-lived TURN credentials, issued by the pool owner's relay to members (docs/operators.md).
 *
 * The credential follows coturn's "TURN REST API" convention (`use-auth-secret` with
 * `static-auth-secret`; draft-uberti-behave-turn-rest-00, section 2.2): username = `expiry:did`
 * with `expiry` in Unix seconds, password = base64(HMAC-SHA1(shared secret, username)). The TURN
 * server recomputes the password from the username and refuses it after `expiry`; it never needs
 * to know the pool or its members.
 *
 * Who may have one: a current member of a pool the relay serves TURN for. The request is signed
 * by the member's DID over `edgepool/turn/v1 0x00 pool 0x00 did 0x00 at` (`at` in ms), sent as
 * `GET /turn?pool=&did=&at=&sig=` (sig base64url). The relay refuses a request older or newer
 * than a minute, one it already answered (a copied URL is good once), a bad signature, and a DID
 * that its copy of the pool's ledger does not list as a current member.
 */
import { base64pad, base64url } from "multiformats/bases/base64";
import { bytesToHex, hmacSha1, utf8, verify } from "../crypto/index.ts";
import { parseDidKey, type Did } from "../identity/did-key.ts";
import type { Identity } from "../identity/keystore.ts";
import type { IceServer } from "./direct-peer.ts";

export const TURN_PATH = "/turn";
/** How far a request's time may be from the relay's clock. */
export const TURN_REQUEST_WINDOW_MS = 60_000;
export const DEFAULT_TURN_TTL_SECONDS = 3_600;

/** The JSON a relay answers with (the draft's response, section 2.2). */
export interface TurnCredential {
  readonly username: string;
  readonly password: string;
  /** Seconds the credential stays valid. */
  readonly ttl: number;
  readonly uris: readonly string[];
}

/** coturn's shared-secret credential for `did`, valid until `now + ttlSeconds` (rounded down to a second). */
export function turnCredential(secret: Uint8Array, did: Did, now: number, ttlSeconds: number, uris: readonly string[]): TurnCredential {
  const username = `${Math.floor(now / 1000) + ttlSeconds}:${did}`;
  return { username, password: base64pad.baseEncode(hmacSha1(secret, utf8(username))), ttl: ttlSeconds, uris };
}

const requestMessage = (pool: string, did: string, at: number): Uint8Array => utf8(`edgepool/turn/v1\0${pool}\0${did}\0${at}`);

/** The query string of a member's signed request for TURN credentials. */
export async function signTurnRequest(identity: Identity, pool: string, now: number): Promise<string> {
  const sig = await identity.signingKey.sign(requestMessage(pool, identity.did, now));
  return new URLSearchParams({ pool, did: identity.did, at: String(now), sig: base64url.baseEncode(sig) }).toString();
}

export type TurnRequestRefusal = "malformed" | "unknown-pool" | "stale" | "bad-signature" | "replayed" | "not-a-member" | "no-ledger";
export type CheckedTurnRequest = { ok: true; pool: string; did: Did } | { ok: false; reason: TurnRequestRefusal; message: string };

export interface TurnRequestContext {
  /** The pools this relay issues TURN credentials for. */
  readonly pools: ReadonlySet<string>;
  /** Whether `did` is a current member by the relay's copy of the ledger; undefined when it holds no ledger of the pool. */
  readonly isMember: (pool: string, did: Did) => Promise<boolean | undefined>;
  readonly now: () => number;
  /** Signatures answered, by hex, with when they may be forgotten. */
  readonly seen: Map<string, number>;
}

const refuse = (reason: TurnRequestRefusal, message: string): CheckedTurnRequest => ({ ok: false, reason, message });

export async function checkTurnRequest(query: URLSearchParams, context: TurnRequestContext): Promise<CheckedTurnRequest> {
  const [pool, did, at, sig] = (["pool", "did", "at", "sig"] as const).map((name) => query.get(name));
  if (!pool || !did || !at || !sig || !/^\d{1,16}$/.test(at) || sig.length > 100) return refuse("malformed", "a TURN request needs pool, did, at (ms) and sig (base64url)");
  if (!context.pools.has(pool)) return refuse("unknown-pool", `this relay issues no TURN credentials for pool ${pool.slice(0, 40)}`);
  const now = context.now();
  if (Math.abs(now - Number(at)) > TURN_REQUEST_WINDOW_MS) return refuse("stale", "the request's time is more than a minute from the relay's clock");
  const key = parseDidKey(did);
  if (!key.ok) return refuse("malformed", key.message);
  let signature: Uint8Array;
  try {
    signature = base64url.baseDecode(sig);
  } catch {
    return refuse("malformed", "sig is not base64url");
  }
  const checked = await verify(key.publicKey, requestMessage(pool, did, Number(at)), signature);
  if (!checked.ok) return refuse("bad-signature", `the signature of ${did} does not verify (${checked.reason})`);
  const id = bytesToHex(signature);
  for (const [old, expires] of context.seen) if (expires < now) context.seen.delete(old);
  if (context.seen.has(id)) return refuse("replayed", "this request was already answered");
  const member = await context.isMember(pool, did as Did);
  if (member === undefined) return refuse("no-ledger", `the relay holds no ledger of pool ${pool} yet (a member must sync through it first)`);
  if (!member) return refuse("not-a-member", `${did} is not a current member of pool ${pool}`);
  context.seen.set(id, now + 2 * TURN_REQUEST_WINDOW_MS);
  return { ok: true, pool, did: did as Did };
}

export type FetchedTurn = { ok: true; servers: IceServer[]; expires: number } | { ok: false; message: string };

/**
 * Asks the relay at `relayUrl` (ws:// or wss://) for TURN credentials and keeps them only for the
 * URLs the pool lists (`poolTurnUrls`): a relay cannot send a member's traffic to a TURN server
 * the pool owner did not choose.
 */
export async function fetchTurnServers(relayUrl: string, identity: Identity, pool: string, poolTurnUrls: readonly string[], now: number, fetchImpl: typeof fetch = fetch): Promise<FetchedTurn> {
  const url = new URL(TURN_PATH, relayUrl.replace(/^ws/, "http"));
  url.search = await signTurnRequest(identity, pool, now);
  let body: unknown;
  try {
    const response = await fetchImpl(url);
    if (!response.ok) return { ok: false, message: `the relay refused TURN credentials (HTTP ${response.status}): ${(await response.text()).slice(0, 200)}` };
    body = await response.json();
  } catch (error) {
    return { ok: false, message: `cannot reach the relay for TURN credentials: ${(error as Error).message}` };
  }
  const c = body as Partial<Record<keyof TurnCredential, unknown>>;
  if (typeof c?.username !== "string" || typeof c.password !== "string" || !Number.isSafeInteger(c.ttl) || (c.ttl as number) <= 0 || !Array.isArray(c.uris)) {
    return { ok: false, message: "the relay's TURN answer is not {username, password, ttl, uris}" };
  }
  const offered = new Set(c.uris.filter((u): u is string => typeof u === "string"));
  const urls = poolTurnUrls.filter((u) => offered.has(u));
  return { ok: true, servers: urls.length === 0 ? [] : [{ urls, username: c.username, credential: c.password }], expires: now + (c.ttl as number) * 1000 };
}
