/**
 * Direct peers for one pool: the mesh adapter added to the node's repo, and the signalling that
 * drives it. Every node says "hello" (signed) on the pool's ledger document every few seconds;
 * when two members hear each other, the one with the lower peer id offers, and offers, answers
 * and ICE candidates follow the same way, signed and addressed (signal.ts). The relay carries only
 * these signals once a direct path is up; without one, everything keeps going through the relay.
 */
import type { DocHandle, PeerId, Repo } from "@automerge/automerge-repo";
import type { Did } from "../identity/did-key.ts";
import type { Identity } from "../identity/keystore.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { DirectBlobs } from "./direct-blobs.ts";
import { DirectMeshAdapter, type DirectMeshOptions, type OutgoingSignal } from "./direct-mesh.ts";
import { poolIce } from "./pool-ice.ts";
import type { DirectPeerStats, IceServer, PeerConnectionFactory } from "./direct-peer.ts";
import { openSignal, signSignal, type Signal, type SignalRefusal } from "./signal.ts";

export interface DirectOptions extends Pick<DirectMeshOptions, "createPeerConnection" | "connectTimeoutMs" | "now" | "log"> {
  readonly repo: Repo;
  readonly ledger: Ledger;
  readonly identity: Identity;
  /** This node's own STUN/TURN servers (`--ice-server`), besides the pool's (pool.network). */
  readonly iceServers?: IceServer[];
  /** The relay that issues TURN credentials for the pool's TURN servers (pool-ice.ts). */
  readonly turnRelay?: string;
  readonly fetch?: typeof fetch;
  /**
   * This node's own choice of no direct connections (a direct connection shows each peer's IP
   * address to the other); the pool's pool.network may also say so, for every member. The node
   * still asks for blobs through the relay (want), and says no hello.
   */
  readonly relayOnly?: boolean;
  readonly helloMs?: number;
  /** Where signals travel (default: ephemeral messages on the ledger's document; a private pool's are sealed, privacy/sealed-signals.ts). */
  readonly signals?: SignalChannel;
}

/** Ephemeral messages to and from the pool's members, through the relay. */
export interface SignalChannel {
  send(message: unknown): void;
  subscribe(listener: (message: unknown) => void): () => void;
}

function documentChannel(handle: DocHandle<unknown>): SignalChannel {
  return {
    send: (message) => handle.broadcast(message),
    subscribe(listener) {
      const onEphemeral = ({ message }: { message: unknown }): void => listener(message);
      handle.on("ephemeral-message", onEphemeral);
      return () => handle.off("ephemeral-message", onEphemeral);
    },
  };
}

export type PeerPath = "direct" | "connecting" | "relay";

/** One member this node has heard from, and how it reaches them. */
export interface PeerInfo {
  readonly did: Did;
  readonly peer: PeerId;
  readonly path: PeerPath;
  readonly rttMs: number | undefined;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** When the member's last hello arrived. */
  readonly lastSeen: number;
}

/** Blobs over direct peers, in the shape jobs/blobs.ts takes (BlobPeers). */
export interface DirectBlobPeers {
  connected(): boolean;
  fetch(hash: string, deadline: number): Promise<Uint8Array | undefined>;
  serve(provide: (hash: string) => Uint8Array | undefined): () => void;
  /** Asks the members (signed, through the relay) to put the blob where the relay carries it. */
  want(hash: string): void;
  onWant(listener: (hash: string) => void): () => void;
}

export interface DirectPeers {
  readonly mesh: DirectMeshAdapter;
  readonly blobs: DirectBlobPeers;
  peers(): PeerInfo[];
  /** How many signals were refused, by reason (a non-member, a bad signature, ...). */
  refusals(): Partial<Record<SignalRefusal, number>>;
  close(): void;
}

interface Heard {
  readonly peer: PeerId;
  lastSeen: number;
  lastReply: number;
}

export function startDirectPeers(options: DirectOptions): DirectPeers {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const helloMs = options.helloMs ?? 5_000;
  const { repo, ledger, identity } = options;
  const channel = options.signals ?? documentChannel(ledger.handle);
  const ice = poolIce({ ledger, identity, turnRelay: options.turnRelay, fetch: options.fetch, now, log });
  const iceServers = (): IceServer[] => [...(options.iceServers ?? []), ...ice.current()];
  const mesh = new DirectMeshAdapter({ createPeerConnection: options.createPeerConnection, iceServers, connectTimeoutMs: options.connectTimeoutMs, now, log });
  const relayOnly = (): boolean => options.relayOnly === true || ledger.state.pool?.network?.relayOnly === true;
  repo.networkSubsystem.addNetworkAdapter(mesh);
  const pool = ledger.options.pool;
  const me = repo.peerId;
  const heard = new Map<Did, Heard>();
  const seen = new Map<string, number>();
  const refused: Partial<Record<SignalRefusal, number>> = {};
  const isMember = (did: Did): boolean => {
    const member = ledger.state.members[did];
    return member !== undefined && member.revoked === undefined;
  };

  const send = (signal: Omit<Signal, "from" | "pool" | "fromPeer" | "at">): void => {
    void signSignal(identity, { ...signal, pool, fromPeer: me, at: now() }).then((signed) => channel.send(signed));
  };
  const stopSignals = mesh.onSignal((signal: OutgoingSignal) => send(signal));
  const wants = new Set<(hash: string) => void>();
  const transfers = new DirectBlobs(mesh, log);
  const blobs: DirectBlobPeers = {
    connected: () => transfers.connected(),
    fetch: (hash, deadline) => transfers.fetch(hash, deadline),
    serve: (provide) => transfers.serve(provide),
    want: (hash) => send({ kind: "want", hash }),
    onWant(listener) {
      wants.add(listener);
      return () => wants.delete(listener);
    },
  };

  const hello = (signal: Signal): void => {
    const peer = signal.fromPeer as PeerId;
    const entry = heard.get(signal.from);
    if (entry?.peer === peer) entry.lastSeen = now();
    else heard.set(signal.from, { peer, lastSeen: now(), lastReply: 0 });
    if (mesh.has(peer)) return;
    if (me < peer) return mesh.dial(peer, signal.from);
    // The other side offers; answer its broadcast with ours so it need not wait for our next one.
    const h = heard.get(signal.from)!;
    if (signal.to === undefined && now() - h.lastReply > helloMs / 2) {
      h.lastReply = now();
      send({ kind: "hello", to: signal.from, toPeer: peer });
    }
  };

  const onSignal = (message: unknown): void => {
    void openSignal(message, { pool, me: identity.did, myPeer: me, isMember, now }, seen).then((opened) => {
      if (!opened.ok) {
        refused[opened.reason] = (refused[opened.reason] ?? 0) + 1;
        if (opened.reason !== "not-for-us") log(`direct: ignoring a signal: ${opened.message}`);
        return;
      }
      const signal = opened.signal;
      if (signal.kind === "want") for (const listener of wants) listener(signal.hash!);
      else if (relayOnly()) return;
      else if (signal.kind === "hello") hello(signal);
      else mesh.signal(signal);
    });
  };
  const unsubscribe = channel.subscribe(onSignal);
  const sayHello = (): void => {
    if (relayOnly()) return;
    ice.refresh();
    send({ kind: "hello" });
  };
  // The pool may turn direct connections off while they are up: end them at once.
  const stopWatching = ledger.subscribe(() => relayOnly() && mesh.closePeers("the pool is relay-only"));
  sayHello();
  const timer = setInterval(sayHello, helloMs);

  return {
    mesh,
    blobs,
    peers() {
      const stats = new Map<PeerId, DirectPeerStats>(mesh.stats().map((s) => [s.peer, s]));
      return [...heard.entries()]
        .filter(([, h]) => now() - h.lastSeen < 3 * helloMs || stats.has(h.peer))
        .map(([did, h]) => {
          const s = stats.get(h.peer);
          const path: PeerPath = s?.state === "open" ? "direct" : s ? "connecting" : "relay";
          return { did, peer: h.peer, path, rttMs: s?.rttMs, bytesSent: s?.bytesSent ?? 0, bytesReceived: s?.bytesReceived ?? 0, lastSeen: h.lastSeen };
        });
    },
    refusals: () => ({ ...refused }),
    close() {
      clearInterval(timer);
      stopWatching();
      stopSignals();
      unsubscribe();
      mesh.disconnect();
    },
  };
}
