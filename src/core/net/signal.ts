/**
 * Signals for direct connections (offers, answers, ICE candidates, the "hello" that says a node
 * is online, and the "want" of a blob), signed by the sending node's DID. They ride on automerge-repo ephemeral
 * messages of the pool's ledger document, which reach every peer of that document through the
 * relay, unauthenticated and unfiltered (TOOLCHAIN.md): so every signal names its pool, its sender
 * and (except a broadcast hello) the member and peer it is for, carries a time, and is signed over
 * its exact CBOR bytes. A receiver drops anything not for it, not from a current member, stale,
 * replayed, or with a bad signature, before it touches a peer connection.
 */
import { cbor } from "@automerge/automerge-repo";
import { bytesToHex, verify } from "../crypto/index.ts";
import { parseDidKey, type Did } from "../identity/did-key.ts";
import type { Identity } from "../identity/keystore.ts";

/** `want`: a member asks whoever holds a blob to put it where the relay can carry it (no direct path served it). */
export type SignalKind = "hello" | "offer" | "answer" | "candidate" | "want";

export interface IceCandidateInit {
  readonly candidate: string;
  readonly sdpMid?: string;
}

export interface SignalBody {
  readonly kind: SignalKind;
  /** Identifies one connection attempt, so candidates of an abandoned attempt are not applied to the next. */
  readonly session?: string;
  readonly sdp?: string;
  readonly candidate?: IceCandidateInit;
  /** The blob a `want` asks for (hex SHA-256). */
  readonly hash?: string;
}

export interface Signal extends SignalBody {
  readonly pool: string;
  readonly from: Did;
  readonly fromPeer: string;
  /** Absent on a broadcast hello. */
  readonly to?: Did;
  readonly toPeer?: string;
  readonly at: number;
}

/** What travels in the ephemeral message: the signal's CBOR bytes and the sender's signature over them. */
export interface SignedSignal {
  readonly edgepoolSignal: 1;
  readonly payload: Uint8Array;
  readonly sig: Uint8Array;
}

export type SignalRefusal = "malformed" | "other-pool" | "not-for-us" | "not-a-member" | "bad-signature" | "stale" | "replayed";
export type OpenedSignal = { ok: true; signal: Signal } | { ok: false; reason: SignalRefusal; message: string };

export interface SignalContext {
  readonly pool: string;
  readonly me: Did;
  readonly myPeer: string;
  readonly isMember: (did: Did) => boolean;
  readonly now: () => number;
}

/** Signals older or newer than this (clock skew plus relay delay) are refused: a replay outlives it only in `seen`. */
export const SIGNAL_WINDOW_MS = 60_000;
const MAX_SDP = 64 * 1024;
const MAX_FIELD = 1024;
const KINDS: ReadonlySet<string> = new Set(["hello", "offer", "answer", "candidate", "want"]);
const BROADCAST: ReadonlySet<string> = new Set(["hello", "want"]);

export async function signSignal(identity: Identity, signal: Omit<Signal, "from">): Promise<SignedSignal> {
  const payload = cbor.encode({ ...signal, from: identity.did }) as Uint8Array;
  return { edgepoolSignal: 1, payload, sig: await identity.signingKey.sign(payload) };
}

const refuse = (reason: SignalRefusal, message: string): OpenedSignal => ({ ok: false, reason, message });
const short = (value: unknown, max = MAX_FIELD): value is string => typeof value === "string" && value.length > 0 && value.length <= max;

/**
 * Checks one received ephemeral message. `seen` remembers accepted signatures (by hex) and when
 * they expire, so the same signal relayed twice, or replayed within the window, is used once.
 */
export async function openSignal(message: unknown, context: SignalContext, seen: Map<string, number>): Promise<OpenedSignal> {
  if (!isSignedSignal(message)) return refuse("malformed", "not a signed signal");
  let decoded: unknown;
  try {
    decoded = cbor.decode(message.payload);
  } catch {
    return refuse("malformed", "the payload is not CBOR");
  }
  const signal = signalShape(decoded);
  if (!signal) return refuse("malformed", "the payload is not a well-formed signal");
  if (signal.pool !== context.pool) return refuse("other-pool", `a signal for pool ${signal.pool}`);
  if (signal.to !== undefined && (signal.to !== context.me || signal.toPeer !== context.myPeer)) return refuse("not-for-us", `a signal for ${signal.to}`);
  if (signal.from === context.me) return refuse("not-for-us", "our own signal");
  if (!context.isMember(signal.from)) return refuse("not-a-member", `${signal.from} is not a member of the pool`);
  const now = context.now();
  if (Math.abs(now - signal.at) > SIGNAL_WINDOW_MS) return refuse("stale", `a signal from ${new Date(signal.at).toISOString()}`);
  const key = parseDidKey(signal.from);
  if (!key.ok) return refuse("malformed", key.message);
  const checked = await verify(key.publicKey, message.payload, message.sig);
  if (!checked.ok) return refuse("bad-signature", `the signature of ${signal.from} does not verify (${checked.reason})`);
  const id = bytesToHex(message.sig);
  for (const [old, expires] of seen) if (expires < now) seen.delete(old);
  if (seen.has(id)) return refuse("replayed", "a signal already used");
  seen.set(id, now + 2 * SIGNAL_WINDOW_MS);
  return { ok: true, signal };
}

function isSignedSignal(message: unknown): message is SignedSignal {
  if (typeof message !== "object" || message === null) return false;
  const m = message as Record<string, unknown>;
  return m.edgepoolSignal === 1 && m.payload instanceof Uint8Array && m.payload.byteLength <= 2 * MAX_SDP && m.sig instanceof Uint8Array && m.sig.byteLength === 64;
}

function signalShape(value: unknown): Signal | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const s = value as Record<string, unknown>;
  if (!short(s.pool) || !short(s.from) || !short(s.fromPeer) || typeof s.kind !== "string" || !KINDS.has(s.kind)) return undefined;
  if (typeof s.at !== "number" || !Number.isFinite(s.at)) return undefined;
  if ((s.to === undefined) !== (s.toPeer === undefined) || (s.to !== undefined && !(short(s.to) && short(s.toPeer)))) return undefined;
  if (!BROADCAST.has(s.kind) && (s.to === undefined || !short(s.session))) return undefined;
  if (s.kind === "want" && !(typeof s.hash === "string" && /^[0-9a-f]{64}$/.test(s.hash))) return undefined;
  if ((s.kind === "offer" || s.kind === "answer") && !short(s.sdp, MAX_SDP)) return undefined;
  if (s.kind === "candidate" && !candidateShape(s.candidate)) return undefined;
  return s as unknown as Signal;
}

function candidateShape(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return typeof c.candidate === "string" && c.candidate.length <= MAX_FIELD && (c.sdpMid === undefined || short(c.sdpMid));
}
