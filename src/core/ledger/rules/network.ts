/**
 * `pool.network` (admin): how the pool's members connect directly (ledger/README.md 8.9). It lists
 * the STUN and TURN servers members may ask (none by default, so nothing outside the pool's own
 * machines is contacted unless the owner says so) and can turn direct connections off for every
 * member (a direct connection shows each peer's IP address to the other). The URLs carry no
 * credentials: the ledger is read by every member and kept forever, so TURN credentials are
 * short-lived ones a member fetches from the pool's relay (docs/operators.md).
 */
import type { BodySchema } from "../schema.ts";
import type { LedgerState } from "../state.ts";
import type { Entry, Rejection, SignedEntry } from "../types.ts";
import { rejection } from "./rejection.ts";

export const MAX_ICE_URLS = 8;
const MAX_ICE_URL = 256;

export const poolNetworkSchema: BodySchema = {
  ice: { type: "string-list", max: MAX_ICE_URLS, itemMax: MAX_ICE_URL },
  relayOnly: { type: "int", min: 0, max: 1 },
};

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// scheme ":" host [":" port] ["?transport=" udp|tcp] (RFC 7064 section 3.1, RFC 7065 section 3.1).
const ICE_URL = /^(stun|turns?):(\[[0-9a-f:.]+\]|[^:?[\]]+)(?::([1-9]\d{0,4}))?(?:\?transport=(udp|tcp))?$/;

/**
 * Why `url` is not a STUN or TURN server URL this protocol accepts, or undefined when it is:
 * `stun:`, `turn:` or `turns:`, a lowercase DNS name, IPv4 address or bracketed IPv6 address, an
 * optional port 1..65535, and for TURN an optional `?transport=udp|tcp`. Nothing else: no
 * credentials (user@), no path, no other query, no other scheme (a browser would refuse them
 * anyway, and a hostile admin must not make members' nodes fetch an arbitrary URL).
 */
export function iceUrlProblem(url: string): string | undefined {
  const shown = JSON.stringify(url.slice(0, 80));
  if (url.length > MAX_ICE_URL) return `an ICE server URL must be at most ${MAX_ICE_URL} characters`;
  const match = ICE_URL.exec(url);
  if (!match) return `${shown} is not stun:host[:port], turn:host[:port][?transport=udp|tcp] or turns:...`;
  const [, scheme, host, port, transport] = match;
  if (transport !== undefined && scheme === "stun") return `${shown}: a STUN URL takes no transport`;
  if (port !== undefined && Number(port) > 65_535) return `${shown}: the port must be 1..65535`;
  if (!hostIsValid(host!)) return `${shown}: the host must be a lowercase DNS name, an IPv4 address or a bracketed IPv6 address`;
  return undefined;
}

function hostIsValid(host: string): boolean {
  if (host.startsWith("[")) return ipv6IsValid(host.slice(1, -1));
  if (IPV4.test(host)) return true;
  // A name of digits and dots only that is not an IPv4 address is a mistyped address, not a name.
  if (/^[\d.]+$/.test(host)) return false;
  const labels = host.split(".");
  return host.length <= 253 && labels.every((label) => LABEL.test(label));
}

function ipv6IsValid(address: string): boolean {
  const halves = address.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === "" ? [] : half.split(":")));
  const last = groups.at(-1);
  const embeddedV4 = last !== undefined && last.includes(".");
  if (embeddedV4 && !IPV4.test(last)) return false;
  const hex = embeddedV4 ? groups.slice(0, -1) : groups;
  if (!hex.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return false;
  const count = hex.length + (embeddedV4 ? 2 : 0);
  return halves.length === 2 ? count <= 7 : count === 8;
}

export function checkPoolNetwork(entry: Entry): string | undefined {
  for (const url of entry.body.ice as string[]) {
    const problem = iceUrlProblem(url);
    if (problem) return `ice: ${problem}`;
  }
  return undefined;
}

/** Replaces the pool's network settings at once: they change how members connect, not what the fold counts. */
export function applyPoolNetwork(state: LedgerState, { entry }: SignedEntry): Rejection | undefined {
  if (!state.pool) return rejection("unknown-reference", "pool.network before the pool exists");
  state.pool.network = { ice: [...(entry.body.ice as string[])], relayOnly: entry.body.relayOnly === 1 };
  return undefined;
}
