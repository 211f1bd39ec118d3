import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, request, type Server } from "node:http";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { staticFileHandler } from "../../../src/cli/static-files.ts";
import { listen } from "../../../src/core/net/relay-node.ts";

let parent: string;
let server: Server;
let port: number;

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), "edgepool-static-"));
  const root = join(parent, "dist");
  await mkdir(join(root, "assets"), { recursive: true });
  await writeFile(join(root, "index.html"), "<!doctype html><title>shell</title>");
  await writeFile(join(root, "sw.js"), "self.addEventListener('fetch', () => {});");
  await writeFile(join(root, "manifest.webmanifest"), "{}");
  await writeFile(join(root, "assets", "index-abc123.js"), "export {};");
  await writeFile(join(root, "assets", "task.wasm"), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  await writeFile(join(parent, "secret.txt"), "TOP SECRET");
  server = createServer(staticFileHandler(root));
  port = await listen(server, "127.0.0.1", 0);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(parent, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so paths reach the server exactly as written (fetch would normalise them). */
function get(path: string, method = "GET"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString("latin1")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("static file server", () => {
  it.each([
    ["/", "text/html; charset=utf-8"],
    ["/sw.js", "text/javascript; charset=utf-8"],
    ["/manifest.webmanifest", "application/manifest+json"],
    ["/assets/task.wasm", "application/wasm"],
  ])("serves %s as %s", async (path, type) => {
    const reply = await get(path);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe(type);
    expect(reply.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("has browsers revalidate the shell and the service worker, and cache hashed assets for good", async () => {
    expect((await get("/")).headers["cache-control"]).toBe("no-cache");
    expect((await get("/sw.js")).headers["cache-control"]).toBe("no-cache");
    expect((await get("/assets/index-abc123.js")).headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("answers a client-side route with the app shell but a missing asset with 404", async () => {
    const route = await get("/pools/42?tab=jobs");
    expect(route.status).toBe(200);
    expect(route.body).toContain("<title>shell</title>");
    expect((await get("/assets/missing.js")).status).toBe(404);
  });

  it.each(["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt", "/%00index.html", "/%E0%A4%A"])(
    "never serves a file outside the app for %s",
    async (path) => {
      const reply = await get(path);
      expect([400, 404]).toContain(reply.status);
      expect(reply.body).not.toContain("TOP SECRET");
    },
  );

  it("answers HEAD without a body and refuses other methods", async () => {
    const head = await get("/", "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    const post = await get("/", "POST");
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
  });
});
