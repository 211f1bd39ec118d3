/**
 * A local relay: a plain automerge-repo peer with file storage behind a WebSocket server. It is
 * untrusted by design (DESIGN.md, Network): it stores and forwards, and validates nothing but the
 * frame shape. What it must never do is crash on a hostile peer, which the stock adapter can:
 * it puts no error listener on its sockets and throws on some well-formed CBOR that is not a
 * repo message. Every socket gets an error listener, frames are bounded by `maxPayload`, and a
 * frame that is not a repo message closes only its own socket.
 */
import { mkdir } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket, type RawData } from "ws";
import { Repo, type PeerId } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket";
import { ClosingStorage, shutdownRepo } from "../ledger/closing-storage.ts";
import { decodeFrame } from "./messages.ts";

export interface RelayOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly storageDirectory: string;
  /** Largest WebSocket frame accepted, in bytes; bigger frames close the socket (code 1009). */
  readonly maxPayload?: number;
  /** Most sockets open at once; more are refused with HTTP 503 before the WebSocket handshake. */
  readonly maxConnections?: number;
  readonly log?: (line: string) => void;
}

export interface RunningRelay {
  /** ws://host:port/ for clients. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Automerge sync messages for a large document can be several MiB; far more is an attack. */
export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
/** Each socket costs a sync state per document; a small relay's memory bounds how many it can hold. */
export const DEFAULT_MAX_CONNECTIONS = 512;
/** ws close code 1008: policy violation (RFC 6455 section 7.4.1). */
const POLICY_VIOLATION = 1008;

export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const log = options.log ?? (() => {});
  // The repo waits on its storage before it connects the network, and would wait forever on a
  // directory it cannot create: fail here, with the file system's reason, instead.
  await mkdir(options.storageDirectory, { recursive: true });
  const http: Server = createServer(healthHandler(() => wss.clients.size));
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const wss: WebSocketServer = new WebSocketServer({
    server: http,
    maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    verifyClient: (_info, accept) => {
      if (wss.clients.size < maxConnections) return accept(true);
      log(`relay: refusing a connection: ${maxConnections} sockets are open`);
      accept(false, 503, "relay full: try again later");
    },
  });
  // Registered before the adapter's own listener, so no socket is ever without an error listener.
  wss.on("connection", (socket) => socket.on("error", (error) => log(`relay: socket error: ${error.message}`)));
  // ws re-emits the HTTP server's errors; a failed listen is reported by `listen` instead.
  wss.on("error", (error) => http.listening && log(`relay: server error: ${error.message}`));
  http.on("clientError", (_error, socket) => socket.destroy());

  // Listen before the repo exists: a port in use must leave nothing running behind it.
  const port = await listen(http, options.host, options.port);
  const adapter = new GuardedServerAdapter(wss, log);
  const storage = new ClosingStorage(new NodeFSStorageAdapter(options.storageDirectory));
  const repo = new Repo({
    network: [adapter],
    storage,
    peerId: `relay-${crypto.randomUUID()}` as PeerId,
    // A relay answers requests and stores what peers send; it announces nothing of its own.
    sharePolicy: async () => false,
  });
  // Until the repo connects the adapter, a socket would get no message listener at all; and the
  // stock adapter clears its keep-alive timer only on a "close" after connecting, so close() must
  // not be possible before it.
  await adapter.connected;
  return {
    url: `ws://${urlHost(options.host)}:${port}/`,
    port,
    async close() {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await shutdownRepo(repo, storage);
    },
  };
}

class GuardedServerAdapter extends WebSocketServerAdapter {
  constructor(
    server: WebSocketServer,
    private readonly log: (line: string) => void,
  ) {
    // isomorphic-ws re-exports ws's types under another module identity; the class is the same.
    super(server as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0]);
  }

  #markConnected!: () => void;
  /** Resolves once the repo has connected this adapter to the server (it does so asynchronously). */
  readonly connected = new Promise<void>((resolve) => (this.#markConnected = resolve));

  override connect(...args: Parameters<WebSocketServerAdapter["connect"]>): void {
    super.connect(...args);
    this.#markConnected();
  }

  override receiveMessage(messageBytes: Buffer, socket: WebSocket): void {
    const problem = frameProblem(messageBytes);
    if (problem) {
      this.log(`relay: closing a socket that sent ${problem}`);
      socket.close(POLICY_VIOLATION, problem);
      return;
    }
    try {
      super.receiveMessage(messageBytes, socket);
    } catch (error) {
      this.log(`relay: closing a socket whose message failed: ${(error as Error).message}`);
      socket.terminate();
    }
  }
}

/** Why a frame is not a repo message the stock adapter can handle, or undefined when it is. */
export function frameProblem(frame: RawData): string | undefined {
  const decoded = decodeFrame(frame);
  return decoded.ok ? undefined : decoded.problem;
}

function healthHandler(connectedPeers: () => number) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    if (request.url === "/health" && (request.method === "GET" || request.method === "HEAD")) {
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify({ ok: true, connectedPeers: connectedPeers() }));
      return;
    }
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("not found: this is an EdgePool relay; connect with a WebSocket or GET /health\n");
  };
}

/** Listens and resolves the bound port; rejects with the server's error (EADDRINUSE, EACCES). */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** IPv6 literals need brackets in a URL. */
export const urlHost = (host: string): string => (host.includes(":") ? `[${host}]` : host);
