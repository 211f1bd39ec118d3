/**
 * One direct connection to another member: an RTCPeerConnection (the platform's, injected) with
 * one ordered, reliable "sync" data channel that carries automerge-repo messages, CBOR-encoded and
 * chunked. Each side's first message on the channel is a join with its peer metadata (as on a
 * relay socket); pings measure the round trip and find a peer that vanished without closing.
 * Other channels (blobs) are handed to `onChannel`.
 */
import { cbor, type Message, type PeerId, type PeerMetadata } from "@automerge/automerge-repo";
import type { Did } from "../identity/did-key.ts";
import { ChannelWriter, type DataChannelLike } from "./channel-writer.ts";
import { Reassembler } from "./chunks.ts";
import { decodeFrame, type FrameMessage } from "./messages.ts";
import type { IceCandidateInit, Signal, SignalBody } from "./signal.ts";

export interface IceServer {
  readonly urls: string | string[];
  readonly username?: string;
  readonly credential?: string;
}

interface SessionDescription {
  readonly type: string;
  readonly sdp?: string;
}

/** The part of RTCPeerConnection this transport uses (Chromium's, or node-datachannel's polyfill). */
export interface PeerConnectionLike {
  readonly connectionState: string;
  createDataChannel(label: string, init?: { ordered?: boolean }): DataChannelLike;
  createOffer(): Promise<SessionDescription>;
  createAnswer(): Promise<SessionDescription>;
  setLocalDescription(description: SessionDescription): Promise<void>;
  setRemoteDescription(description: { type: "offer" | "answer"; sdp: string }): Promise<void>;
  addIceCandidate(candidate: IceCandidateInit): Promise<void>;
  close(): void;
  addEventListener(type: "icecandidate", listener: (event: { candidate: { candidate: string; sdpMid?: string | null } | null }) => void): void;
  addEventListener(type: "datachannel", listener: (event: { channel: DataChannelLike }) => void): void;
  addEventListener(type: "connectionstatechange", listener: () => void): void;
}

export type PeerConnectionFactory = (config: { iceServers: IceServer[] }) => PeerConnectionLike;

export type DirectPeerState = "connecting" | "open" | "closed";

export interface DirectPeerStats {
  readonly peer: PeerId;
  readonly did: Did;
  readonly state: DirectPeerState;
  readonly rttMs: number | undefined;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly since: number;
}

export interface DirectPeerOptions {
  readonly me: PeerId;
  readonly metadata: PeerMetadata;
  readonly remote: PeerId;
  readonly did: Did;
  readonly session: string;
  readonly createPeerConnection: PeerConnectionFactory;
  readonly iceServers: IceServer[];
  readonly maxMessageBytes: number;
  readonly connectTimeoutMs: number;
  readonly pingMs: number;
  readonly now: () => number;
  readonly sendSignal: (body: SignalBody) => void;
  readonly onOpen: (metadata: PeerMetadata) => void;
  readonly onMessage: (message: Message) => void;
  readonly onChannel: (channel: DataChannelLike) => void;
  readonly onClose: (why: string) => void;
  readonly log: (line: string) => void;
}

const SYNC_LABEL = "sync";
/** Unanswered pings in a row after which the peer counts as gone (a killed process, a dropped network). */
const MISSED_PINGS = 4;

export class DirectPeer {
  readonly #o: DirectPeerOptions;
  readonly #pc: PeerConnectionLike;
  #channel: DataChannelLike | undefined;
  #writer: ChannelWriter | undefined;
  #state: DirectPeerState = "connecting";
  #remoteSet = false;
  #pendingCandidates: IceCandidateInit[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pinger: ReturnType<typeof setInterval> | undefined;
  /** Pings in a row that got no answer (nor any other traffic) before the next was due. */
  #missed = 0;
  #awaitingPong = false;
  #rttMs: number | undefined;
  #bytesReceived = 0;
  /** Bytes sent on channels other than sync (blobs), reported by their owners. */
  #otherSent = 0;
  readonly #since: number;

  constructor(options: DirectPeerOptions) {
    this.#o = options;
    this.#since = options.now();
    this.#pc = options.createPeerConnection({ iceServers: options.iceServers });
    this.#pc.addEventListener("icecandidate", (event) => {
      const c = event.candidate;
      if (c && c.candidate) this.#o.sendSignal({ kind: "candidate", session: this.session, candidate: { candidate: c.candidate, ...(c.sdpMid ? { sdpMid: c.sdpMid } : {}) } });
    });
    this.#pc.addEventListener("datachannel", (event) => (event.channel.label === SYNC_LABEL ? this.#useSyncChannel(event.channel) : this.#o.onChannel(event.channel)));
    this.#pc.addEventListener("connectionstatechange", () => {
      const s = this.#pc.connectionState;
      if (s === "failed" || s === "closed") this.close(`the connection ${s}`);
    });
    this.#timer = setTimeout(() => this.close("no direct path came up in time"), options.connectTimeoutMs);
  }

  get session(): string {
    return this.#o.session;
  }

  get state(): DirectPeerState {
    return this.#state;
  }

  /** As the offerer (the lower peer id): opens the sync channel and sends the offer. */
  async offer(): Promise<void> {
    this.#useSyncChannel(this.#pc.createDataChannel(SYNC_LABEL, { ordered: true }));
    await this.#guard(async () => {
      const offer = await this.#pc.createOffer();
      await this.#pc.setLocalDescription(offer);
      this.#o.sendSignal({ kind: "offer", session: this.session, sdp: offer.sdp ?? "" });
    });
  }

  /** Applies a verified signal of this session (offer, answer or candidate). */
  async signal(signal: Signal): Promise<void> {
    await this.#guard(async () => {
      if (signal.kind === "offer" && signal.sdp) {
        await this.#pc.setRemoteDescription({ type: "offer", sdp: signal.sdp });
        await this.#remoteReady();
        const answer = await this.#pc.createAnswer();
        await this.#pc.setLocalDescription(answer);
        this.#o.sendSignal({ kind: "answer", session: this.session, sdp: answer.sdp ?? "" });
      } else if (signal.kind === "answer" && signal.sdp && !this.#remoteSet) {
        await this.#pc.setRemoteDescription({ type: "answer", sdp: signal.sdp });
        await this.#remoteReady();
      } else if (signal.kind === "candidate" && signal.candidate) {
        if (this.#remoteSet) await this.#pc.addIceCandidate(signal.candidate);
        else this.#pendingCandidates.push(signal.candidate);
      }
    });
  }

  /** Sends a repo message; false when the channel is not open (the repo re-syncs when a path returns). */
  send(message: Message): boolean {
    if (this.#state !== "open" || !this.#writer) return false;
    void this.#writer.write(cbor.encode(message));
    return true;
  }

  /** Opens another channel on this connection (a blob transfer). */
  openChannel(label: string): DataChannelLike | undefined {
    return this.#state === "open" ? this.#pc.createDataChannel(label, { ordered: true }) : undefined;
  }

  /** Counts traffic of another channel on this connection (a blob transfer) into `stats`. */
  addTraffic(sent: number, received: number): void {
    this.#otherSent += sent;
    this.#bytesReceived += received;
  }

  stats(): DirectPeerStats {
    return {
      peer: this.#o.remote,
      did: this.#o.did,
      state: this.#state,
      rttMs: this.#rttMs,
      bytesSent: (this.#writer?.bytesSent ?? 0) + this.#otherSent,
      bytesReceived: this.#bytesReceived,
      since: this.#since,
    };
  }

  close(why: string): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    clearTimeout(this.#timer);
    clearInterval(this.#pinger);
    try {
      this.#channel?.close();
      this.#pc.close();
    } catch (error) {
      this.#o.log(`direct ${this.#o.remote}: closing: ${(error as Error).message}`);
    }
    this.#o.onClose(why);
  }

  async #remoteReady(): Promise<void> {
    this.#remoteSet = true;
    for (const candidate of this.#pendingCandidates.splice(0)) await this.#pc.addIceCandidate(candidate);
  }

  /** A peer connection that throws on what a peer sent (a bad SDP) ends this attempt, never the node. */
  async #guard(step: () => Promise<void>): Promise<void> {
    try {
      if (this.#state !== "closed") await step();
    } catch (error) {
      this.close(`negotiation failed: ${(error as Error).message}`);
    }
  }

  #useSyncChannel(channel: DataChannelLike): void {
    if (this.#channel) return channel.close();
    this.#channel = channel;
    channel.binaryType = "arraybuffer";
    const reassembler = new Reassembler(this.#o.maxMessageBytes);
    channel.addEventListener("open", () => {
      this.#writer = new ChannelWriter(channel);
      void this.#writer.write(cbor.encode({ type: "join", senderId: this.#o.me, peerMetadata: this.#o.metadata, supportedProtocolVersions: ["1"] }));
    });
    channel.addEventListener("close", () => this.close("the data channel closed"));
    channel.addEventListener("error", () => this.#o.log(`direct ${this.#o.remote}: data channel error`));
    channel.addEventListener("message", (event) => {
      const chunk = toBytes(event.data);
      if (!chunk) return this.close("the peer sent a text message");
      this.#bytesReceived += chunk.byteLength;
      // Any traffic shows the peer is there; pongs matter only when the channel is otherwise quiet.
      this.#awaitingPong = false;
      const joined = reassembler.push(chunk);
      if (!joined.ok) return this.close(`the peer sent ${joined.problem}`);
      if (joined.message) this.#receive(joined.message);
    });
  }

  #receive(bytes: Uint8Array): void {
    const decoded = decodeFrame(bytes);
    if (!decoded.ok) return this.close(`the peer sent ${decoded.problem}`);
    const message = decoded.message;
    if (message.senderId !== this.#o.remote) return this.close("the peer sent a message under another peer id");
    if (message.type === "join") return this.#opened(message);
    if (this.#state !== "open") return;
    if (message.type === "ping") return void this.#writer?.write(cbor.encode({ type: "pong", senderId: this.#o.me, targetId: this.#o.remote, t: message.t }));
    if (message.type === "pong") return this.#pong(message);
    if (message.targetId !== this.#o.me) return;
    try {
      this.#o.onMessage(message as unknown as Message);
    } catch (error) {
      this.close(`a message from the peer failed: ${(error as Error).message}`);
    }
  }

  #opened(join: FrameMessage): void {
    if (this.#state !== "connecting") return;
    clearTimeout(this.#timer);
    this.#state = "open";
    const metadata = (typeof join.peerMetadata === "object" && join.peerMetadata !== null ? join.peerMetadata : {}) as PeerMetadata;
    this.#pinger = setInterval(() => this.#ping(), this.#o.pingMs);
    this.#ping();
    this.#o.onOpen(metadata);
  }

  #ping(): void {
    // Counted in pings, not in time: a node whose event loop was busy for seconds (folding a large
    // sync) sends no pings meanwhile, and must not take its own delay for a vanished peer.
    this.#missed = this.#awaitingPong ? this.#missed + 1 : 0;
    if (this.#missed >= MISSED_PINGS) return this.close("the peer stopped answering");
    this.#awaitingPong = true;
    void this.#writer?.write(cbor.encode({ type: "ping", senderId: this.#o.me, targetId: this.#o.remote, t: this.#o.now() }));
  }

  #pong(message: FrameMessage): void {
    if (typeof message.t !== "number") return;
    this.#rttMs = Math.max(0, this.#o.now() - message.t);
  }
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  return undefined;
}
