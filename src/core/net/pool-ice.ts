/**
 * The STUN and TURN servers a node uses for the pool's direct connections: the ones the pool's
 * ledger lists (pool.network), TURN ones with short-lived credentials from the pool's relay
 * (turn-credentials.ts). Credentials are fetched ahead of need (each hello tick) and renewed when
 * less than a quarter of their life is left; until they arrive, TURN servers are left out rather
 * than tried without credentials.
 */
import type { Identity } from "../identity/keystore.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { IceServer } from "./direct-peer.ts";
import { fetchTurnServers, type FetchedTurn } from "./turn-credentials.ts";

export interface PoolIceOptions {
  readonly ledger: Ledger;
  readonly identity: Identity;
  /** The relay that issues TURN credentials (ws:// or wss://); without one, TURN servers are not used. */
  readonly turnRelay?: string;
  readonly fetch?: typeof fetch;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

export interface PoolIce {
  /** The servers for a connection made now. */
  current(): IceServer[];
  /** Fetches TURN credentials if the pool lists TURN servers and none are fresh. */
  refresh(): void;
}

/** After a failed fetch, wait this long before asking the relay again. */
const RETRY_MS = 60_000;

export function poolIce(options: PoolIceOptions): PoolIce {
  let turn: { servers: IceServer[]; expires: number; renewAt: number; for: string } | undefined;
  let fetching = false;
  let retryAt = 0;
  const listed = (): string[] => options.ledger.state.pool?.network?.ice ?? [];
  const turnUrls = (): string[] => listed().filter((url) => !url.startsWith("stun:"));

  return {
    current() {
      const stun = listed().filter((url) => url.startsWith("stun:"));
      const fresh = turn && turn.expires > options.now() && turn.for === turnUrls().join(",") ? turn.servers : [];
      return [...(stun.length > 0 ? [{ urls: stun }] : []), ...fresh];
    },
    refresh() {
      const urls = turnUrls();
      const now = options.now();
      const wanted = urls.join(",");
      if (!options.turnRelay || urls.length === 0 || fetching || now < retryAt) return;
      if (turn && turn.for === wanted && now < turn.renewAt) return;
      fetching = true;
      const pool = options.ledger.options.pool;
      void fetchTurnServers(options.turnRelay, options.identity, pool, urls, now, options.fetch)
        .then((fetched: FetchedTurn) => {
          if (!fetched.ok) {
            retryAt = options.now() + RETRY_MS;
            return options.log(`direct: no TURN credentials: ${fetched.message}`);
          }
          turn = { servers: fetched.servers, expires: fetched.expires, renewAt: fetched.expires - (fetched.expires - now) / 4, for: wanted };
        })
        .finally(() => (fetching = false));
    },
  };
}
