/**
 * Which relay addresses a node may dial. Plain `ws://` carries the ledger in clear text and lets
 * anyone on the path drop or delay it unseen, so it is allowed only to this machine (loopback)
 * unless the operator says otherwise (`allowInsecure`); remote relays use `wss://` (docs/relay.md).
 */

/** A relay address that passed `parseRelayUrl`. */
export type RelayUrl = string & { readonly __brand: "RelayUrl" };

export type RelayUrlResult = { ok: true; url: RelayUrl } | { ok: false; reason: "bad-relay-url" | "insecure-relay"; message: string };

/** True for names and addresses that never leave this machine. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host === "::1") return true;
  return /^127(?:\.\d{1,3}){3}$/.test(host);
}

export function parseRelayUrl(input: string, allowInsecure = false): RelayUrlResult {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: "bad-relay-url", message: `${JSON.stringify(input)} is not a URL: a relay address looks like wss://relay.example.org/` };
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    return { ok: false, reason: "bad-relay-url", message: `a relay address starts with wss:// (or ws:// on this machine), got ${JSON.stringify(input)}` };
  }
  if (url.protocol === "ws:" && !allowInsecure && !isLoopback(url.hostname)) {
    return {
      ok: false,
      reason: "insecure-relay",
      message: `refusing plain ws:// to ${url.host}: anyone on the path could read and drop the pool's traffic. Use wss:// (see docs/relay.md), or allow insecure relays explicitly`,
    };
  }
  return { ok: true, url: url.href as RelayUrl };
}
