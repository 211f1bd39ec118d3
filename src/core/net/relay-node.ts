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
import { WebSocketServer, type WebSocket } from "ws";
import { Repo, type DocumentId, type PeerId } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket";
import { ClosingStorage, shutdownRepo } from "../ledger/closing-storage.ts";
import { decodeFrame, type FrameMessage } from "./messages.ts";
import { relayMembers, type RelayMembers } from "./relay-members-node.ts";
import { checkTurnRequest, DEFAULT_TURN_TTL_SECONDS, TURN_PATH, turnCredential, type TurnRequestContext } from "./turn-credentials.ts";

export interface RelayOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly storageDirectory: string;
  /** Largest WebSocket frame accepted, in bytes; bigger frames close the socket (code 1009). */
  readonly maxPayload?: number;
  /** Most sockets open at once; more are refused with HTTP 503 before the WebSocket handshake. */
  readonly maxConnections?: number;
  /** Issue short-lived TURN credentials to the members of these pools (GET /turn; turn-credentials.ts). */
  readonly turn?: RelayTurnOptions;
  readonly log?: (line: string) => void;
}

export interface RelayTurnOptions {
  /** The secret shared with the TURN server (coturn's static-auth-secret), as bytes. */
  readonly secret: Uint8Array;
  /** The TURN server URLs the credentials are for. */
  readonly uris: readonly string[];
  readonly pools: readonly string[];
  readonly ttlSeconds?: number;
  readonly now?: () => number;
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
  let members: RelayMembers | undefined;
  const turn = options.turn ? turnHandler(options.turn, (pool, did) => members?.isMember(pool, did) ?? Promise.resolve(undefined), log) : undefined;
  const http: Server = createServer(httpHandler(() => wss.clients.size, turn));
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
    // A relay answers requests and stores what peers send; it announces nothing a peer has not
    // synced through it before. Announcing those again when the peer reconnects is what makes the
    // repo start its sync state for the peer over (see GuardedServerAdapter.synced).
    sharePolicy: async (peer, documentId) => documentId !== undefined && adapter.synced(peer, documentId),
  });
  // Until the repo connects the adapter, a socket would get no message listener at all; and the
  // stock adapter clears its keep-alive timer only on a "close" after connecting, so close() must
  // not be possible before it.
  await adapter.connected;
  if (options.turn) members = relayMembers(repo, storage, log);
  return {
    url: `ws://${urlHost(options.host)}:${port}/`,
    port,
    async close() {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
      members?.close();
      await shutdownRepo(repo, storage);
    },
  };
}

class GuardedServerAdapter extends WebSocketServerAdapter {
  /** The documents each peer has synced through this relay (by the peer ids its sockets joined as). */
  readonly #synced = new Map<PeerId, Set<DocumentId>>();

  constructor(
    server: WebSocketServer,
    private readonly log: (line: string) => void,
  ) {
    // isomorphic-ws re-exports ws's types under another module identity; the class is the same.
    super(server as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0]);
  }

  /**
   * Whether `peer` has synced `documentId` through this relay. The repo keeps a peer's sync state
   * in memory across its reconnections and starts it over only for the documents it announces to
   * the peer; a relay announcing nothing kept the old state, which counts what it sent into the
   * dead connection as delivered, so it never sent those changes again and the peer stayed behind
   * for good (Automerge's sync protocol assumes one reliable stream per sync state).
   */
  synced(peer: PeerId, documentId: DocumentId): boolean {
    return this.#synced.get(peer)?.has(documentId) ?? false;
  }

  #markConnected!: () => void;
  /** Resolves once the repo has connected this adapter to the server (it does so asynchronously). */
  readonly connected = new Promise<void>((resolve) => (this.#markConnected = resolve));

  override connect(...args: Parameters<WebSocketServerAdapter["connect"]>): void {
    super.connect(...args);
    this.#markConnected();
  }

  override receiveMessage(messageBytes: Buffer, socket: WebSocket): void {
    const decoded = decodeFrame(messageBytes);
    if (!decoded.ok) {
      this.log(`relay: closing a socket that sent ${decoded.problem}`);
      socket.close(POLICY_VIOLATION, decoded.problem);
      return;
    }
    this.#remember(decoded.message, socket);
    try {
      super.receiveMessage(messageBytes, socket);
    } catch (error) {
      this.log(`relay: closing a socket whose message failed: ${(error as Error).message}`);
      socket.terminate();
    }
  }

  /** Records a sync or request from the socket its sender joined on (the stock adapter drops any other). */
  #remember({ type, senderId, documentId }: FrameMessage, socket: WebSocket): void {
    if ((type !== "sync" && type !== "request") || typeof documentId !== "string" || this.sockets[senderId as PeerId] !== (socket as unknown)) return;
    let documents = this.#synced.get(senderId as PeerId);
    if (!documents) this.#synced.set(senderId as PeerId, (documents = new Set()));
    documents.add(documentId as DocumentId);
  }
}

type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void;

function httpHandler(connectedPeers: () => number, turn: RouteHandler | undefined): RouteHandler {
  return (request, response) => {
    const path = request.url?.split("?")[0];
    if (path === "/health" && (request.method === "GET" || request.method === "HEAD")) {
      response.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify({ ok: true, connectedPeers: connectedPeers() }));
      return;
    }
    if (path === TURN_PATH && turn) return turn(request, response);
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("not found: this is an EdgePool relay; connect with a WebSocket or GET /health\n");
  };
}

const TURN_STATUS = { malformed: 400, "unknown-pool": 404, stale: 401, "bad-signature": 401, replayed: 401, "not-a-member": 403, "no-ledger": 503 } as const;

/**
 * GET /turn: TURN credentials for a pool member's signed request. Pages of any origin may ask (the
 * app is served from elsewhere): the signature, not the origin, decides.
 */
function turnHandler(options: RelayTurnOptions, isMember: TurnRequestContext["isMember"], log: (line: string) => void): RouteHandler {
  const now = options.now ?? Date.now;
  const context: TurnRequestContext = { pools: new Set(options.pools), isMember, now, seen: new Map() };
  return (request, response) => {
    const headers = { "access-control-allow-origin": "*", "cache-control": "no-store" };
    if (request.method !== "GET") {
      response.writeHead(405, { ...headers, allow: "GET", "content-type": "text/plain" });
      return void response.end("use GET /turn?pool=&did=&at=&sig=\n");
    }
    void checkTurnRequest(new URL(request.url ?? "/", "http://relay").searchParams, context).then((checked) => {
      if (!checked.ok) {
        log(`relay: refusing TURN credentials (${checked.reason}): ${checked.message}`);
        response.writeHead(TURN_STATUS[checked.reason], { ...headers, "content-type": "text/plain" });
        return void response.end(`${checked.message}\n`);
      }
      const credential = turnCredential(options.secret, checked.did, now(), options.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS, options.uris);
      response.writeHead(200, { ...headers, "content-type": "application/json" });
      response.end(JSON.stringify(credential));
    }, (error: Error) => {
      log(`relay: TURN request failed: ${error.message}`);
      response.writeHead(500, { ...headers, "content-type": "text/plain" });
      response.end("the relay could not check this request\n");
    });
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
