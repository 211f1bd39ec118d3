/**
 * A node's transports, chosen per node: any number of relays (one adapter each, so the repo syncs
 * through whichever is up and with both when both are), and optionally a BroadcastChannel, which
 * lets tabs of one browser (or processes sharing one) share a pool without any relay.
 */
import type { NetworkAdapterInterface } from "@automerge/automerge-repo";
import { BroadcastChannelNetworkAdapter } from "@automerge/automerge-repo-network-broadcastchannel";
import type { Backoff } from "./backoff.ts";
import { RelayClientAdapter, type RelayConnection, type SocketFactory } from "./relay-client.ts";
import { parseRelayUrl, type RelayUrl } from "./relay-url.ts";

export interface NetworkConfig {
  /** Relay addresses (wss://, or ws:// on loopback). */
  readonly relays: readonly string[];
  /** Also allow plain ws:// to other hosts (a trusted LAN, a test rig). */
  readonly allowInsecure?: boolean;
  /** A BroadcastChannel name shared by the tabs of one pool; absent for none. */
  readonly broadcastChannel?: string;
  readonly maxMessageBytes?: number;
  readonly backoff?: Backoff;
  readonly log?: (line: string) => void;
}

export interface Transports {
  readonly adapters: NetworkAdapterInterface[];
  readonly relays: readonly RelayClientAdapter[];
  /** Each relay's connection state, by address. */
  status(): Array<{ url: RelayUrl; connection: RelayConnection }>;
}

export type TransportsResult = ({ ok: true } & Transports) | { ok: false; reason: "bad-relay-url" | "insecure-relay"; message: string };

export function createTransports(config: NetworkConfig, createSocket: SocketFactory): TransportsResult {
  const relays: RelayClientAdapter[] = [];
  for (const address of new Set(config.relays)) {
    const parsed = parseRelayUrl(address, config.allowInsecure);
    if (!parsed.ok) return parsed;
    relays.push(new RelayClientAdapter({ url: parsed.url, createSocket, maxMessageBytes: config.maxMessageBytes, backoff: config.backoff, log: config.log }));
  }
  const adapters: NetworkAdapterInterface[] = [...relays];
  if (config.broadcastChannel !== undefined) adapters.push(new BroadcastChannelNetworkAdapter({ channelName: config.broadcastChannel }));
  return { ok: true, adapters, relays, status: () => relays.map((relay) => ({ url: relay.url, connection: relay.state() })) };
}
