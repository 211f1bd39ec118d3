/**
 * Sending on a data channel without overrunning it. A data channel buffers whatever it is handed;
 * past a few MiB, implementations stall or drop (TOOLCHAIN.md, WebRTC), so chunks wait here while
 * more than HIGH_WATER bytes are buffered, and go on when the channel says `bufferedamountlow`.
 */
import { toChunks } from "./chunks.ts";

/** The part of RTCDataChannel (browser, or node-datachannel's polyfill) the direct transport uses. */
export interface DataChannelLike {
  readonly label: string;
  readonly readyState: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: string;
  send(data: Uint8Array): void;
  close(): void;
  addEventListener(type: "open" | "close" | "error" | "bufferedamountlow", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
}

export const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

export class ChannelWriter {
  #queue: Uint8Array[] = [];
  #drained: Array<{ until: number; resolve: () => void }> = [];
  /** Chunks handed to the channel so far; a waiter resolves when the count passes its mark. */
  #sent = 0;
  #queued = 0;
  bytesSent = 0;

  constructor(private readonly channel: DataChannelLike) {
    channel.bufferedAmountLowThreshold = LOW_WATER;
    channel.addEventListener("bufferedamountlow", () => this.#pump());
    channel.addEventListener("close", () => this.#abandon());
  }

  /**
   * Queues one message (cut into chunks) and resolves once its last chunk is handed to the channel:
   * a producer that awaits it never holds more than about HIGH_WATER in memory per channel.
   * Resolves at once, sending nothing, when the channel is closed (the caller learns that from `close`).
   */
  write(message: Uint8Array): Promise<void> {
    if (this.channel.readyState !== "open") return Promise.resolve();
    const chunks = toChunks(message);
    this.#queue.push(...chunks);
    this.#queued += chunks.length;
    const until = this.#queued;
    const done = new Promise<void>((resolve) => this.#drained.push({ until, resolve }));
    this.#pump();
    return done;
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.channel.bufferedAmount <= HIGH_WATER) {
      if (this.channel.readyState !== "open") return this.#abandon();
      const chunk = this.#queue.shift()!;
      try {
        this.channel.send(chunk);
      } catch {
        // The channel closed between the check and the send; its close event ends the writer.
        return this.#abandon();
      }
      this.bytesSent += chunk.byteLength;
      this.#sent++;
    }
    while (this.#drained.length > 0 && this.#drained[0]!.until <= this.#sent) this.#drained.shift()!.resolve();
  }

  #abandon(): void {
    this.#queue = [];
    for (const waiter of this.#drained.splice(0)) waiter.resolve();
  }
}
