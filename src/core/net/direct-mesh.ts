/**
 * The automerge-repo network adapter for direct peers: one per repo, beside the relay adapters.
 * It holds a DirectPeer per member it reaches; the repo sees each as an ordinary peer, so a
 * document syncs over whichever path (relay or direct) is up, and over both when both are. It
 * does no signalling itself: `dial` and `signal` are driven by the pool's signalling (direct.ts),
 * which has already checked who sent what.
 */
import { NetworkAdapter, type Message, type PeerId, type PeerMetadata } from "@automerge/automerge-repo";
import type { Did } from "../identity/did-key.ts";
import type { DataChannelLike } from "./channel-writer.ts";
import { DirectPeer, type DirectPeerStats, type IceServer, type PeerConnectionFactory } from "./direct-peer.ts";
import type { Signal, SignalBody } from "./signal.ts";

export interface DirectMeshOptions {
  readonly createPeerConnection: PeerConnectionFactory;
  /** STUN/TURN servers for a connection made now (the pool's settings); none by default, so nothing outside is contacted. */
  readonly iceServers?: () => IceServer[];
  readonly maxMessageBytes?: number;
  readonly connectTimeoutMs?: number;
  readonly pingMs?: number;
  readonly now?: () => number;
  readonly random?: () => string;
  readonly log?: (line: string) => void;
}

export type OutgoingSignal = SignalBody & { readonly to: Did; readonly toPeer: PeerId };

/** A channel another member opened to us, other than sync (blobs). */
export interface IncomingChannel {
  readonly peer: PeerId;
  readonly did: Did;
  readonly channel: DataChannelLike;
}

const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export class DirectMeshAdapter extends NetworkAdapter {
  readonly #peers = new Map<PeerId, DirectPeer>();
  readonly #o: Required<DirectMeshOptions>;
  #ready = false;
  #signalListeners = new Set<(signal: OutgoingSignal) => void>();
  #channelListeners = new Set<(incoming: IncomingChannel) => void>();
  #peerListeners = new Set<() => void>();

  constructor(options: DirectMeshOptions) {
    super();
    this.#o = {
      createPeerConnection: options.createPeerConnection,
      iceServers: options.iceServers ?? (() => []),
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      pingMs: options.pingMs ?? 2_000,
      now: options.now ?? Date.now,
      random: options.random ?? (() => crypto.randomUUID()),
      log: options.log ?? (() => {}),
    };
  }

  isReady(): boolean {
    return this.#ready;
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata ?? {};
    this.#ready = true;
  }

  disconnect(): void {
    this.closePeers("this node is closing");
    this.#ready = false;
    this.emit("close");
  }

  /** Ends every direct connection (the node is closing, or the pool turned direct connections off). */
  closePeers(why: string): void {
    for (const peer of [...this.#peers.values()]) peer.close(why);
  }

  send(message: Message): void {
    const peer = this.#peers.get(message.targetId);
    if (!peer?.send(message)) this.#o.log(`direct ${message.targetId}: not connected, dropping a ${message.type} message`);
  }

  /** Signals this adapter wants sent (the caller signs them and puts them on the relay). */
  onSignal(listener: (signal: OutgoingSignal) => void): () => void {
    this.#signalListeners.add(listener);
    return () => this.#signalListeners.delete(listener);
  }

  /** Channels other members open to us besides sync. */
  onChannel(listener: (incoming: IncomingChannel) => void): () => void {
    this.#channelListeners.add(listener);
    return () => this.#channelListeners.delete(listener);
  }

  /** Called when a peer opens or closes. */
  onPeers(listener: () => void): () => void {
    this.#peerListeners.add(listener);
    return () => this.#peerListeners.delete(listener);
  }

  /** True while a connection to `peer` is being set up or is open. */
  has(peer: PeerId): boolean {
    return this.#peers.has(peer);
  }

  /** The open connection to `peer`, if any. */
  peer(peer: PeerId): DirectPeer | undefined {
    const found = this.#peers.get(peer);
    return found?.state === "open" ? found : undefined;
  }

  /** Adds a blob transfer's bytes to the connection's figures (`edgepool peers`). */
  traffic(peer: PeerId, sent: number, received: number): void {
    this.#peers.get(peer)?.addTraffic(sent, received);
  }

  stats(): DirectPeerStats[] {
    return [...this.#peers.values()].map((p) => p.stats());
  }

  /** Starts a connection to a member (we are the lower peer id, so we offer). */
  dial(remote: PeerId, did: Did): void {
    if (!this.peerId || this.#peers.has(remote)) return;
    void this.#create(remote, did, this.#o.random()).offer();
  }

  /** Applies a verified signal from a member: an offer starts (or restarts) a connection; the rest go to theirs. */
  signal(signal: Signal): void {
    const remote = signal.fromPeer as PeerId;
    let peer = this.#peers.get(remote);
    if (signal.kind === "offer") {
      // A new offer means the other side started over (a restart, a timeout on its side).
      if (peer && peer.session !== signal.session) peer.close("the peer started a new connection");
      if (!peer || peer.state === "closed") peer = this.#create(remote, signal.from, signal.session!);
    }
    if (peer && peer.session === signal.session) void peer.signal(signal);
  }

  #create(remote: PeerId, did: Did, session: string): DirectPeer {
    let opened = false;
    const peer: DirectPeer = new DirectPeer({
      me: this.peerId!,
      metadata: this.peerMetadata ?? {},
      remote,
      did,
      session,
      createPeerConnection: this.#o.createPeerConnection,
      iceServers: this.#o.iceServers(),
      maxMessageBytes: this.#o.maxMessageBytes,
      connectTimeoutMs: this.#o.connectTimeoutMs,
      pingMs: this.#o.pingMs,
      now: this.#o.now,
      log: this.#o.log,
      sendSignal: (body) => {
        for (const listener of this.#signalListeners) listener({ ...body, to: did, toPeer: remote });
      },
      onOpen: (peerMetadata) => {
        this.#o.log(`direct ${remote}: open`);
        opened = true;
        this.emit("peer-candidate", { peerId: remote, peerMetadata });
        this.#changed();
      },
      onMessage: (message) => this.emit("message", message),
      onChannel: (channel) => {
        for (const listener of this.#channelListeners) listener({ peer: remote, did, channel });
      },
      onClose: (why) => {
        this.#o.log(`direct ${remote}: closed (${why})`);
        if (this.#peers.get(remote) !== peer) return;
        this.#peers.delete(remote);
        if (opened) this.emit("peer-disconnected", { peerId: remote });
        this.#changed();
      },
    });
    this.#peers.set(remote, peer);
    return peer;
  }

  #changed(): void {
    for (const listener of this.#peerListeners) listener();
  }
}
