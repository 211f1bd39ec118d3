/**
 * A small Privacy Pass issuer (RFC 9578 type 2) that an open pool's operator runs (`edgepool
 * issuer`). It decides who may have a join token through an attestation hook (the operator's own
 * check: an account system, a captcha, an invitation list) and rate-limits each attested account
 * (default: one token per account per 7 days). It blind-signs, so neither it nor the pool can link
 * a token to the account that asked for it.
 *
 * Endpoints (RFC 9578, 4 and 5):
 *   GET  /.well-known/private-token-issuer-directory  -> {"issuer-request-uri", "token-keys"}
 *   POST /token-request  (application/private-token-request)  -> application/private-token-response
 *   GET  /health
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { base64url } from "multiformats/bases/base64";
import { blindSign, type BlindRsaIssuerKey } from "../crypto/blind-rsa-issuer-node.ts";

export const DIRECTORY_PATH = "/.well-known/private-token-issuer-directory";
export const REQUEST_PATH = "/token-request";
const REQUEST_TYPE = "application/private-token-request";
const RESPONSE_TYPE = "application/private-token-response";
/** A type-2 request for a 2048-bit key is 259 bytes; anything far larger is refused unread. */
const MAX_REQUEST_BYTES = 1024;

/** What the issuer knows about one request: enough for an operator's check, nothing of the token. */
export interface AttestationRequest {
  readonly headers: IncomingMessage["headers"];
  readonly remoteAddress: string;
}

export type Attestation = { readonly ok: true; readonly account: string } | { readonly ok: false; readonly message: string };
export type Attester = (request: AttestationRequest) => Promise<Attestation>;

/**
 * The default attester: the client's IP address is its account. Weak (one person behind many
 * addresses, or many people behind one NAT), but it needs no set-up; real pools pass their own.
 */
export const attestByAddress: Attester = async (request) => ({ ok: true, account: `ip:${request.remoteAddress}` });

export interface TokenIssuerOptions {
  readonly host: string;
  readonly port: number;
  readonly key: BlindRsaIssuerKey;
  readonly attest?: Attester;
  /** Tokens per account per window. */
  readonly tokensPerWindow?: number;
  readonly windowMs?: number;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

export interface RunningTokenIssuer {
  readonly url: string;
  readonly port: number;
  /** Tokens issued since start. */
  issued(): number;
  close(): Promise<void>;
}

export const DEFAULT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** Per-account issuance times within the window; old ones are dropped as accounts come back. */
class AccountLimiter {
  private readonly issuedAt = new Map<string, number[]>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  take(account: string, now: number): boolean {
    const recent = (this.issuedAt.get(account) ?? []).filter((time) => time > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.issuedAt.set(account, recent);
      return false;
    }
    this.issuedAt.set(account, [...recent, now]);
    return true;
  }
}

export async function startTokenIssuer(options: TokenIssuerOptions): Promise<RunningTokenIssuer> {
  const log = options.log ?? (() => {});
  const attest = options.attest ?? attestByAddress;
  const now = options.now ?? Date.now;
  const limiter = new AccountLimiter(options.tokensPerWindow ?? 1, options.windowMs ?? DEFAULT_WINDOW_MS);
  let issued = 0;
  const directory = JSON.stringify({ "issuer-request-uri": REQUEST_PATH, "token-keys": [{ "token-type": 2, "token-key": base64url.baseEncode(options.key.spki) }] });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? "/", "http://issuer").pathname;
    if (request.method === "OPTIONS") return preflight(response);
    if (request.method === "GET" && path === DIRECTORY_PATH) return send(response, 200, "application/private-token-issuer-directory", directory);
    if (request.method === "GET" && path === "/health") return send(response, 200, "application/json", JSON.stringify({ ok: true, issued }));
    if (path !== REQUEST_PATH) return send(response, 404, "text/plain", "not found");
    if (request.method !== "POST") return send(response, 405, "text/plain", "POST a token request here");
    if (request.headers["content-type"] !== REQUEST_TYPE) return send(response, 415, "text/plain", `the body must be ${REQUEST_TYPE}`);
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (!body) {
      response.setHeader("connection", "close");
      return send(response, 413, "text/plain", `a token request is at most ${MAX_REQUEST_BYTES} bytes`);
    }
    const attestation = await attest({ headers: request.headers, remoteAddress: request.socket.remoteAddress ?? "unknown" });
    if (!attestation.ok) return send(response, 403, "text/plain", attestation.message);
    const signed = blindSign(options.key, body);
    if (!signed.ok) return send(response, 400, "text/plain", signed.message);
    // Counted only once the request is good, so a malformed request does not spend the account's token.
    if (!limiter.take(attestation.account, now())) {
      log(`issuer: refused a token: account over its limit`);
      return send(response, 429, "text/plain", "this account has had its tokens for now; try again later");
    }
    issued++;
    return send(response, 200, RESPONSE_TYPE, signed.response);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log(`issuer: request failed: ${(error as Error).message}`);
      if (!response.headersSent) send(response, 500, "text/plain", "the issuer failed on this request");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    issued: () => issued,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Any origin may ask: the app fetches tokens from the page (an anonymous job, a join), and the
 * issuer trusts only its attestation (headers it is sent explicitly, the address), never cookies,
 * which a wildcard origin does not carry.
 */
const CORS = { "access-control-allow-origin": "*" };

function preflight(response: ServerResponse): void {
  response.writeHead(204, { ...CORS, "access-control-allow-methods": "GET, POST", "access-control-allow-headers": "content-type, authorization", "access-control-max-age": "600" });
  response.end();
}

function send(response: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  response.writeHead(status, { ...CORS, "content-type": type, "cache-control": "no-store" });
  response.end(body);
}

/** The request body, or undefined once it passes `limit` bytes (the rest is not read). */
function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop reading; the 413 goes out with `connection: close`, which ends the upload.
        request.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    request.on("error", reject);
  });
}
