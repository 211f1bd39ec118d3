/**
 * A node's connection to one relay, as an automerge-repo network adapter. It speaks the stock
 * WebSocket protocol (join -> peer, then CBOR repo messages), so it works with the stock sync
 * server as with ours, but unlike the stock client it never lets the network end the process:
 * every socket has an error listener, every frame is size-checked and shape-checked before the
 * repo sees it, sending on a closed socket drops the message (the repo re-syncs on reconnect)
 * instead of throwing, and reconnection backs off exponentially with jitter.
 */
import { decodeSyncMessage } from "@automerge/automerge";
import { NetworkAdapter, cbor, type Message, type PeerId, type PeerMetadata } from "@automerge/automerge-repo";
import { backoffDelay, DEFAULT_BACKOFF, type Backoff } from "./backoff.ts";
import { decodeFrame, type FrameMessage } from "./messages.ts";
import type { RelayUrl } from "./relay-url.ts";

/** The part of the WebSocket API (browser, or `ws` in Node) this adapter uses. */
export interface RelaySocket {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "close" | "error" | "message", listener: (event: { data?: unknown }) => void): void;
}

/** Opens a socket to `url`; the platform's adapter file supplies it (relay-socket-node.ts, or the browser's WebSocket). */
export type SocketFactory = (url: RelayUrl, maxMessageBytes: number) => RelaySocket;

const OPEN = 1;
const PROTOCOL_VERSION = "1";

export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export type RelayConnection =
  | { readonly status: "connecting"; readonly attempt: number }
  | { readonly status: "connected"; readonly relay: PeerId; readonly since: number }
  | { readonly status: "waiting"; readonly attempt: number; readonly retryAt: number; readonly why: string }
  | { readonly status: "closed" };

export interface RelayClientOptions {
  readonly url: RelayUrl;
  readonly createSocket: SocketFactory;
  /** Frames larger than this are refused and the connection is dropped (the relay is misbehaving). */
  readonly maxMessageBytes?: number;
  readonly backoff?: Backoff;
  /** A socket that opens but gets no answer to its join within this long is dropped and retried. */
  readonly joinTimeoutMs?: number;
  /** How long `whenReady` waits for the relay before the repo goes on without it (offline start). */
  readonly readyAfterMs?: number;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

export class RelayClientAdapter extends NetworkAdapter {
  readonly url: RelayUrl;
  #options: Required<Omit<RelayClientOptions, "url" | "createSocket">> & Pick<RelayClientOptions, "createSocket">;
  #socket: RelaySocket | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #state: RelayConnection = { status: "connecting", attempt: 0 };
  readonly #listeners = new Set<(state: RelayConnection) => void>();
  #ready = false;
  #markReady!: () => void;
  readonly #readyPromise = new Promise<void>((resolve) => (this.#markReady = resolve));

  constructor(options: RelayClientOptions) {
    super();
    this.url = options.url;
    this.#options = {
      createSocket: options.createSocket,
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      joinTimeoutMs: options.joinTimeoutMs ?? 10_000,
      readyAfterMs: options.readyAfterMs ?? 1_000,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
      log: options.log ?? (() => {}),
    };
  }

  isReady(): boolean {
    return this.#ready;
  }

  whenReady(): Promise<void> {
    return this.#readyPromise;
  }

  /** Where the connection stands (for the sync status, UX.md 10). */
  state(): RelayConnection {
    return this.#state;
  }

  /** Calls `listener` on every change of `state()`; returns the unsubscribe function. */
  onState(listener: (state: RelayConnection) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata ?? {};
    // Offline start: the repo must not wait for a relay that is down (it would wait forever).
    setTimeout(() => this.#setReady(), this.#options.readyAfterMs);
    this.#dial(0);
  }

  disconnect(): void {
    clearTimeout(this.#timer);
    this.#dropSocket();
    if (this.#state.status === "connected") this.emit("peer-disconnected", { peerId: this.#state.relay });
    this.#setState({ status: "closed" });
    this.emit("close");
  }

  send(message: Message): void {
    const socket = this.#socket;
    if (this.#state.status !== "connected" || socket?.readyState !== OPEN) {
      this.#options.log(`relay ${this.url}: not connected, dropping a ${message.type} message (sync resumes on reconnect)`);
      return;
    }
    socket.send(cbor.encode(message));
  }

  #dial(attempt: number): void {
    if (this.#state.status === "closed") return;
    this.#setState({ status: "connecting", attempt });
    let socket: RelaySocket;
    try {
      socket = this.#options.createSocket(this.url, this.#options.maxMessageBytes);
    } catch (error) {
      this.#retry(attempt, `cannot open a socket: ${(error as Error).message}`);
      return;
    }
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    const current = () => this.#socket === socket;
    socket.addEventListener("error", (event) => current() && this.#options.log(`relay ${this.url}: ${errorText(event)}`));
    socket.addEventListener("close", () => current() && this.#lost(attempt, "the connection closed"));
    socket.addEventListener("open", () => current() && this.#join(socket, attempt));
    socket.addEventListener("message", (event) => current() && this.#receive(event.data, attempt));
  }

  #join(socket: RelaySocket, attempt: number): void {
    socket.send(cbor.encode({ type: "join", senderId: this.peerId, peerMetadata: this.peerMetadata, supportedProtocolVersions: [PROTOCOL_VERSION] }));
    this.#timer = setTimeout(() => this.#fail(attempt, "the relay did not answer our join"), this.#options.joinTimeoutMs);
  }

  #receive(data: unknown, attempt: number): void {
    const size = data instanceof ArrayBuffer || data instanceof Uint8Array ? data.byteLength : 0;
    if (size > this.#options.maxMessageBytes) return this.#fail(attempt, `the relay sent ${size} bytes, above the limit of ${this.#options.maxMessageBytes}`);
    const decoded = decodeFrame(data);
    if (!decoded.ok) return this.#fail(attempt, `the relay sent ${decoded.problem}`);
    const message = decoded.message;
    if (message.type === "peer") return this.#peer(message);
    if (message.type === "error") return this.#fail(attempt, `the relay refused us: ${String(message.message)}`);
    // A relay passes ephemeral messages on under their first sender's id (the signals of direct
    // peers ride on them, and direct.ts checks their signatures); anything else must be the relay's.
    if (this.#state.status !== "connected" || (message.senderId !== this.#state.relay && message.type !== "ephemeral")) return;
    // A sync message the repo cannot decode leaves its document stuck loading on this node (the
    // repo logs the error and waits on): refuse it here and drop the relay that sent it.
    if ((message.type === "sync" || message.type === "request") && !isSyncMessage(message.data)) return this.#fail(attempt, "the relay sent a sync message that does not decode");
    try {
      this.emit("message", message as unknown as Message);
    } catch (error) {
      // The repo threw on what the relay sent (a malformed sync message): drop this connection, not the node.
      this.#fail(attempt, `a message from the relay failed: ${(error as Error).message}`);
    }
  }

  #peer(message: FrameMessage): void {
    clearTimeout(this.#timer);
    const relay = message.senderId as PeerId;
    const metadata = (typeof message.peerMetadata === "object" && message.peerMetadata !== null ? message.peerMetadata : {}) as PeerMetadata;
    this.#setState({ status: "connected", relay, since: this.#options.now() });
    this.#setReady();
    this.emit("peer-candidate", { peerId: relay, peerMetadata: metadata });
  }

  /** Ends the current socket because of something the relay did, then retries later. */
  #fail(attempt: number, why: string): void {
    this.#options.log(`relay ${this.url}: ${why}; reconnecting`);
    this.#dropSocket();
    this.#lost(attempt, why);
  }

  #lost(attempt: number, why: string): void {
    clearTimeout(this.#timer);
    const wasConnected = this.#state.status === "connected" ? this.#state.relay : undefined;
    this.#socket = undefined;
    if (wasConnected) this.emit("peer-disconnected", { peerId: wasConnected });
    // A connection that reached the relay starts the backoff over; one that never did backs off further.
    this.#retry(wasConnected ? 0 : attempt + 1, why);
  }

  #retry(attempt: number, why: string): void {
    if (this.#state.status === "closed") return;
    const delay = backoffDelay(attempt, this.#options.backoff, this.#options.random);
    this.#setState({ status: "waiting", attempt, retryAt: this.#options.now() + delay, why });
    this.#timer = setTimeout(() => this.#dial(attempt), delay);
  }

  /** Closes the current socket and ignores its later events (browsers allow no protocol close codes from scripts). */
  #dropSocket(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
  }

  #setReady(): void {
    if (this.#ready) return;
    this.#ready = true;
    this.#markReady();
  }

  #setState(state: RelayConnection): void {
    this.#state = state;
    for (const listener of this.#listeners) listener(state);
  }
}

function isSyncMessage(data: unknown): boolean {
  try {
    decodeSyncMessage(data as Uint8Array);
    return true;
  } catch {
    return false;
  }
}

function errorText(event: { data?: unknown }): string {
  const detail = (event as { message?: unknown; error?: { code?: unknown } }).error?.code ?? (event as { message?: unknown }).message;
  return typeof detail === "string" && detail.length > 0 ? detail : "socket error";
}
