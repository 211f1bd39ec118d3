/**
 * Serves the built app (`dist/`) over HTTP: the right MIME types (browsers refuse streaming wasm
 * compilation and manifests served as anything else), a single-page-app fallback to index.html,
 * no path outside the root, and no caching of the files that decide which version runs.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";

const MIME_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".webmanifest": "application/manifest+json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/**
 * The service worker and the HTML shell must be revalidated on every load, or a browser keeps
 * running an old version; everything under assets/ is content-hashed by Vite and never changes.
 */
function cacheControl(relativePath: string): string {
  if (relativePath.startsWith(`assets${sep}`)) return "public, max-age=31536000, immutable";
  return "no-cache";
}

export type StaticHandler = (request: IncomingMessage, response: ServerResponse) => void;

export function staticFileHandler(rootDirectory: string): StaticHandler {
  const root = resolve(rootDirectory);
  return (request, response) => {
    serve(root, request, response).catch((error: Error) => {
      if (!response.headersSent) sendText(response, 500, `internal error: ${error.message}`);
      else response.destroy();
    });
  };
}

async function serve(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("allow", "GET, HEAD");
    return sendText(response, 405, "method not allowed");
  }
  const target = resolveRequestPath(root, request.url ?? "/");
  if (!target.ok) return sendText(response, 400, target.message);
  const file = (await isFile(target.path)) ? target.path : await fallback(root, target.path);
  if (!file) return sendText(response, 404, "not found");
  await sendFile(root, file, request.method === "HEAD", response);
}

type ResolvedPath = { ok: true; path: string } | { ok: false; message: string };

/** Maps a request URL to a file path under root, refusing anything that escapes it. */
export function resolveRequestPath(root: string, url: string): ResolvedPath {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url, "http://localhost").pathname);
  } catch {
    return { ok: false, message: "malformed URL" };
  }
  if (pathname.includes("\0")) return { ok: false, message: "malformed URL" };
  const path = resolve(join(root, pathname.endsWith("/") ? `${pathname}index.html` : pathname));
  if (path !== root && !path.startsWith(root + sep)) return { ok: false, message: "path outside the app" };
  return { ok: true, path };
}

/**
 * A client-side route (no file extension) gets the app shell; a missing asset stays a 404 so a
 * broken build shows up as one instead of as HTML parsed as JavaScript.
 */
async function fallback(root: string, path: string): Promise<string | undefined> {
  if (extname(path) !== "") return undefined;
  const shell = join(root, "index.html");
  return (await isFile(shell)) ? shell : undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function sendFile(root: string, path: string, headOnly: boolean, response: ServerResponse): Promise<void> {
  const { size } = await stat(path);
  response.writeHead(200, {
    "content-type": MIME_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream",
    "content-length": size,
    "cache-control": cacheControl(path.slice(root.length + 1)),
    "x-content-type-options": "nosniff",
  });
  if (headOnly) {
    response.end();
    return;
  }
  await new Promise<void>((done, fail) => {
    const stream = createReadStream(path);
    stream.on("error", fail);
    response.on("close", () => {
      stream.destroy();
      done();
    });
    stream.pipe(response);
  });
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" });
  response.end(`${text}\n`);
}
