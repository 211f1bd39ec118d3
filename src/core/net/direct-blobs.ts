/**
 * Blobs peer to peer, each transfer on its own data channel beside the sync channel, so a 20 MB
 * task input neither crosses the relay nor queues ahead of the ledger's sync messages. The asker
 * opens a "blob" channel and sends `{ hash, offset }`; the holder answers `{ size }` (or
 * `{ missing: true }`) and then the bytes from `offset` on, in pieces, paced by ChannelWriter.
 * The asker checks the SHA-256 of the whole against the name it asked for, and keeps what arrived
 * when a channel breaks, asking the next peer (or the same one, reconnected) from there.
 */
import { cbor, type PeerId } from "@automerge/automerge-repo";
import { bytesToHex, concatBytes, sha256 } from "../crypto/index.ts";
import { ChannelWriter, type DataChannelLike } from "./channel-writer.ts";
import { Reassembler } from "./chunks.ts";
import type { DirectMeshAdapter } from "./direct-mesh.ts";

export const BLOB_LABEL = "blob";
/** Bytes per piece: large enough to amortise the per-message cost, small enough to pace finely. */
const PIECE = 256 * 1024;
/** Largest blob fetched this way (the relay path has its own message limit). */
export const MAX_DIRECT_BLOB = 1024 * 1024 * 1024;
const MAX_REQUEST = 1024;

export type BlobProvider = (hash: string) => Uint8Array | undefined;

interface Received {
  parts: Uint8Array[];
  received: number;
}

export class DirectBlobs {
  readonly #partial = new Map<string, Received>();

  constructor(
    private readonly mesh: DirectMeshAdapter,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Answers other members' blob channels from `provide`; returns the function that stops it. */
  serve(provide: BlobProvider): () => void {
    return this.mesh.onChannel(({ channel, peer }) => {
      if (channel.label === BLOB_LABEL) this.#answer(channel, peer, provide);
    });
  }

  /** Whether any member is connected directly right now. */
  connected(): boolean {
    return this.mesh.stats().some((s) => s.state === "open");
  }

  /**
   * The blob from a directly connected member, checked against its hash, or undefined when no
   * direct peer has it before `deadline` (Date.now() ms). What arrived before a break is kept.
   */
  async fetch(hash: string, deadline: number): Promise<Uint8Array | undefined> {
    const refused = new Set<PeerId>();
    while (Date.now() < deadline) {
      const peer = this.mesh.stats().find((s) => s.state === "open" && !refused.has(s.peer));
      if (!peer) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        // Peers that lacked it may have fetched it since; ask them again after a full round.
        if (this.mesh.stats().every((s) => s.state !== "open" || refused.has(s.peer))) refused.clear();
        continue;
      }
      const outcome = await this.#fetchFrom(peer.peer, hash, deadline);
      if (outcome instanceof Uint8Array) return outcome;
      if (outcome === "missing") refused.add(peer.peer);
    }
    return undefined;
  }

  #fetchFrom(peer: PeerId, hash: string, deadline: number): Promise<Uint8Array | "missing" | "broken"> {
    const channel = this.mesh.peer(peer)?.openChannel(BLOB_LABEL);
    if (!channel) return Promise.resolve("broken");
    const partial = this.#partial.get(hash) ?? ({ parts: [], received: 0 } as Received);
    this.#partial.set(hash, partial);
    return new Promise((resolve) => {
      let size: number | undefined;
      const reassembler = new Reassembler(PIECE + MAX_REQUEST);
      const finish = (outcome: Uint8Array | "missing" | "broken"): void => {
        clearTimeout(timer);
        channel.close();
        resolve(outcome);
      };
      const timer = setTimeout(() => finish("broken"), Math.max(0, deadline - Date.now()));
      channel.binaryType = "arraybuffer";
      channel.addEventListener("open", () => {
        const request = cbor.encode({ hash, offset: partial.received });
        this.mesh.traffic(peer, request.byteLength + 1, 0);
        void new ChannelWriter(channel).write(request);
      });
      channel.addEventListener("close", () => finish("broken"));
      channel.addEventListener("message", (event) => {
        const chunk = new Uint8Array(event.data as ArrayBuffer);
        this.mesh.traffic(peer, 0, chunk.byteLength);
        const joined = reassembler.push(chunk);
        if (!joined.ok) return finish("broken");
        if (!joined.message) return;
        if (size === undefined) {
          const header = decodeHeader(joined.message);
          if (header === "missing") return finish("missing");
          if (header === undefined || header < partial.received) return finish("broken");
          size = header;
        } else {
          partial.parts.push(joined.message);
          partial.received += joined.message.byteLength;
        }
        if (partial.received < size) return;
        this.#partial.delete(hash);
        const bytes = partial.parts.length === 1 ? partial.parts[0]! : concatBytes(...partial.parts);
        if (partial.received === size && bytesToHex(sha256(bytes)) === hash) return finish(bytes);
        this.log(`direct blob ${hash.slice(0, 16)}…: ${peer} sent bytes that do not match the hash`);
        finish("missing");
      });
    });
  }

  #answer(channel: DataChannelLike, peer: PeerId, provide: BlobProvider): void {
    channel.binaryType = "arraybuffer";
    const reassembler = new Reassembler(MAX_REQUEST);
    let answered = false;
    channel.addEventListener("message", (event) => {
      const chunk = new Uint8Array(event.data as ArrayBuffer);
      this.mesh.traffic(peer, 0, chunk.byteLength);
      const joined = reassembler.push(chunk);
      if (answered || !joined.ok) return channel.close();
      if (!joined.message) return;
      answered = true;
      const request = decodeRequest(joined.message);
      const bytes = request && provide(request.hash);
      void this.#send(channel, peer, bytes, request?.offset ?? 0).catch((error: unknown) => {
        this.log(`direct blob to ${peer}: ${(error as Error).message}`);
        channel.close();
      });
    });
  }

  async #send(channel: DataChannelLike, peer: PeerId, bytes: Uint8Array | undefined, offset: number): Promise<void> {
    const writer = new ChannelWriter(channel);
    let counted = 0;
    const count = (): void => {
      this.mesh.traffic(peer, writer.bytesSent - counted, 0);
      counted = writer.bytesSent;
    };
    try {
      if (!bytes || offset > bytes.byteLength) return await writer.write(cbor.encode({ missing: true }));
      await writer.write(cbor.encode({ size: bytes.byteLength }));
      for (let at = offset; at < bytes.byteLength && channel.readyState === "open"; at += PIECE) {
        await writer.write(bytes.subarray(at, Math.min(at + PIECE, bytes.byteLength)));
        count();
      }
    } finally {
      count();
    }
  }
}

function decodeHeader(message: Uint8Array): number | "missing" | undefined {
  try {
    const header = cbor.decode(message) as { size?: unknown; missing?: unknown };
    if (header.missing === true) return "missing";
    return Number.isSafeInteger(header.size) && (header.size as number) >= 0 && (header.size as number) <= MAX_DIRECT_BLOB ? (header.size as number) : undefined;
  } catch {
    return undefined;
  }
}

function decodeRequest(message: Uint8Array): { hash: string; offset: number } | undefined {
  try {
    const request = cbor.decode(message) as { hash?: unknown; offset?: unknown };
    if (typeof request.hash !== "string" || !/^[0-9a-f]{64}$/.test(request.hash)) return undefined;
    if (!Number.isSafeInteger(request.offset) || (request.offset as number) < 0) return undefined;
    return { hash: request.hash, offset: request.offset as number };
  } catch {
    return undefined;
  }
}
