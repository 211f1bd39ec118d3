import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";
import { Repo, cbor, type AutomergeUrl } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { startRelay, type RunningRelay } from "../../../../src/core/net/relay-node.ts";
import { shutdownRepo } from "../../../../src/core/ledger/closing-storage.ts";

const MAX_PAYLOAD = 64 * 1024;

let storage: string;
let relay: RunningRelay;
const repos: Repo[] = [];
const logged: string[] = [];

beforeEach(async () => {
  storage = await mkdtemp(join(tmpdir(), "edgepool-relay-"));
  logged.length = 0;
  relay = await startRelay({ host: "127.0.0.1", port: 0, storageDirectory: storage, maxPayload: MAX_PAYLOAD, log: (l) => logged.push(l) });
});

afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => shutdownRepo(r)));
  await relay.close();
  await rm(storage, { recursive: true, force: true });
});

function clientRepo(): Repo {
  const repo = new Repo({ network: [new WebSocketClientAdapter(relay.url)] });
  repos.push(repo);
  return repo;
}

async function health(): Promise<{ ok: boolean; connectedPeers: number }> {
  const response = await fetch(`http://127.0.0.1:${relay.port}/health`);
  expect(response.status).toBe(200);
  return (await response.json()) as { ok: boolean; connectedPeers: number };
}

/** Sends one frame from a raw socket and resolves with the close code the relay answered with. */
function sendRaw(frame: Buffer | string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(relay.url);
    socket.on("error", () => {});
    socket.on("open", () => socket.send(frame));
    socket.on("close", (code) => resolve(code));
    setTimeout(() => reject(new Error("the relay kept a hostile socket open")), 5_000);
  });
}

async function syncThroughRelay(): Promise<void> {
  const alice = clientRepo();
  const bob = clientRepo();
  const handle = alice.create<{ greeting: string }>({ greeting: "hello through the relay" });
  const url: AutomergeUrl = handle.url;
  await alice.networkSubsystem.whenReady();
  await bob.networkSubsystem.whenReady();
  const found = await bob.find<{ greeting: string }>(url);
  expect(found.doc().greeting).toBe("hello through the relay");
}

describe("relay", () => {
  it("carries a document from one repo to another and reports itself healthy", async () => {
    expect(await health()).toEqual({ ok: true, connectedPeers: 0 });
    await syncThroughRelay();
    expect((await health()).connectedPeers).toBe(2);
  });

  it.each([
    ["bytes that are not CBOR", Buffer.from([0xff, 0xfe, 0xfd])],
    ["CBOR null", Buffer.from(cbor.encode(null))],
    ["a CBOR array", Buffer.from(cbor.encode([1, 2, 3]))],
    ["a message without a sender", Buffer.from(cbor.encode({ type: "join" }))],
    ["a join with malformed protocol versions", Buffer.from(cbor.encode({ type: "join", senderId: "mallory", supportedProtocolVersions: 5 }))],
    ["a sync message without a target", Buffer.from(cbor.encode({ type: "sync", senderId: "mallory" }))],
    ["a text frame", "{\"type\":\"join\"}"],
  ])("closes only the socket that sent %s and keeps serving", async (_what, frame) => {
    expect(await sendRaw(frame)).toBe(1008);
    await syncThroughRelay();
  });

  it("closes a socket whose frame exceeds maxPayload", async () => {
    expect(await sendRaw(Buffer.alloc(MAX_PAYLOAD + 1))).toBe(1009);
    expect((await health()).ok).toBe(true);
  });

  it("survives a joined peer sending messages about documents that do not exist", async () => {
    const socket = new WebSocket(relay.url);
    socket.on("error", () => {});
    await new Promise((resolve) => socket.on("open", resolve));
    socket.send(cbor.encode({ type: "join", senderId: "mallory", peerMetadata: {}, supportedProtocolVersions: ["1"] }));
    await new Promise((resolve) => socket.once("message", resolve));
    for (const type of ["sync", "request", "ephemeral", "doc-unavailable", "remote-heads-changed", "nonsense"]) {
      socket.send(cbor.encode({ type, senderId: "mallory", targetId: "someone", documentId: "not-a-document", data: new Uint8Array([1, 2, 3]) }));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.terminate();
    await syncThroughRelay();
  });

  it("refuses a storage directory it cannot create instead of waiting for it forever", async () => {
    const file = join(storage, "a-file");
    await writeFile(file, "");
    await expect(startRelay({ host: "127.0.0.1", port: 0, storageDirectory: join(file, "relay") })).rejects.toMatchObject({ code: "ENOTDIR" });
  });

  it("leaves nothing running when its port is taken", async () => {
    const second = startRelay({ host: "127.0.0.1", port: relay.port, storageDirectory: storage });
    await expect(second).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});
