/**
 * Direct peers in Chromium: the mesh adapter (src/core/net/direct-mesh.ts) with the browser's own
 * RTCPeerConnection connects to a Node node (node-datachannel) and to another page, and carries a
 * small and a 2 MiB repo message both ways (chunked, paced). Signalling is handed across by the
 * test (the signed relay path is covered in tests/integration/net/direct.test.ts). To be sure
 * nothing leaves the machine, run it as root in a namespace of its own:
 *   tests/isolated-net.sh npx vitest run -c vitest.e2e.config.ts tests/e2e/direct-peers.e2e.ts
 * (loopback alone is not enough: neither libdatachannel nor Chromium offers a loopback candidate
 * there, so the script adds a veth pair whose both ends stay inside).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { generateAutomergeUrl, parseAutomergeUrl, type Message, type PeerId } from "@automerge/automerge-repo";
import { DirectMeshAdapter, type OutgoingSignal } from "../../src/core/net/direct-mesh.ts";
import { nodePeerConnectionFactory } from "../../src/core/net/peer-connection-node.ts";
import type { Signal } from "../../src/core/net/signal.ts";
import { launchChromium, type BrowserSession } from "./chromium.ts";
import { openModulePage } from "./browser-modules.ts";
import { until } from "../fixtures/until.ts";

const ENTRIES = { mesh: "src/core/net/direct-mesh.ts", rtc: "src/core/net/peer-connection-browser.ts" };
// Loopback candidates, and the machine's addresses rather than mDNS names (node-datachannel resolves none).
const WEBRTC_ARGS = ["--allow-loopback-in-peer-connection", "--webrtc-ip-handling-policy=default"];
const DOCUMENT = parseAutomergeUrl(generateAutomergeUrl()).documentId;
const BIG = 2 * 1024 * 1024;

let session: BrowserSession;
beforeAll(async () => {
  session = await launchChromium({ args: WEBRTC_ARGS });
});
afterAll(async () => {
  await session?.close();
});

/** One side of a test connection: a mesh in a page or in this process, seen through the same few calls. */
interface Side {
  readonly peer: PeerId;
  /** Signals the side wants sent, taken from its queue. */
  take(): Promise<OutgoingSignal[]>;
  deliver(signal: Signal): Promise<void>;
  dial(remote: PeerId): Promise<void>;
  send(to: PeerId, size: number): Promise<void>;
  /** Sizes of the messages that arrived, and whether a peer is open. */
  state(): Promise<{ sizes: number[]; open: boolean }>;
}

function message(from: PeerId, to: PeerId, size: number): Message {
  return { type: "ephemeral", senderId: from, targetId: to, documentId: DOCUMENT, count: 1, sessionId: "s", data: new Uint8Array(size).fill(7) } as Message;
}

function nodeSide(peer: PeerId): Side {
  const mesh = new DirectMeshAdapter({ createPeerConnection: nodePeerConnectionFactory });
  mesh.connect(peer, {});
  const out: OutgoingSignal[] = [];
  const sizes: number[] = [];
  let open = false;
  mesh.onSignal((s) => out.push(s));
  mesh.on("message", (m) => sizes.push((m as { data: Uint8Array }).data.byteLength));
  mesh.on("peer-candidate", () => (open = true));
  afterAll(() => mesh.disconnect());
  return {
    peer,
    take: async () => out.splice(0),
    deliver: async (signal) => mesh.signal(signal),
    dial: async (remote) => mesh.dial(remote, "did:key:remote" as never),
    send: async (to, size) => mesh.send(message(peer, to, size)),
    state: async () => ({ sizes: [...sizes], open }),
  };
}

async function pageSide(page: Page, peer: PeerId): Promise<Side> {
  await page.evaluate(`(() => {
    const mesh = new window.modules.mesh.DirectMeshAdapter({ createPeerConnection: window.modules.rtc.browserPeerConnectionFactory });
    mesh.connect(${JSON.stringify(peer)}, {});
    window.side = { mesh, out: [], sizes: [], open: false };
    mesh.onSignal((s) => window.side.out.push(s));
    mesh.on("message", (m) => window.side.sizes.push(m.data.byteLength));
    mesh.on("peer-candidate", () => (window.side.open = true));
  })()`);
  return {
    peer,
    take: () => page.evaluate(() => (window as unknown as { side: { out: OutgoingSignal[] } }).side.out.splice(0)),
    deliver: (signal) => page.evaluate((s) => (window as unknown as { side: { mesh: DirectMeshAdapter } }).side.mesh.signal(s), signal),
    dial: (remote) => page.evaluate((r) => (window as unknown as { side: { mesh: DirectMeshAdapter } }).side.mesh.dial(r as PeerId, "did:key:remote" as never), remote),
    send: (to, size) =>
      page.evaluate(
        ({ from, to, size, doc }) =>
          (window as unknown as { side: { mesh: DirectMeshAdapter } }).side.mesh.send({ type: "ephemeral", senderId: from, targetId: to, documentId: doc, count: 1, sessionId: "s", data: new Uint8Array(size).fill(7) } as never),
        { from: peer, to, size, doc: DOCUMENT as string },
      ),
    state: () => page.evaluate(() => {
      const side = (window as unknown as { side: { sizes: number[]; open: boolean } }).side;
      return { sizes: [...side.sizes], open: side.open };
    }),
  };
}

/** Passes each side's signals to the other (as the relay would, minus signatures) until both are open. */
async function connect(a: Side, b: Side): Promise<void> {
  const [low, high] = a.peer < b.peer ? [a, b] : [b, a];
  await low.dial(high.peer);
  await until(async () => {
    for (const [from, to] of [[a, b], [b, a]] as const) {
      for (const s of await from.take()) await to.deliver({ ...s, pool: "p", from: "did:key:remote" as never, fromPeer: from.peer, at: Date.now() });
    }
    return (await a.state()).open && (await b.state()).open;
  }, "a direct connection");
}

async function exchange(a: Side, b: Side): Promise<void> {
  await a.send(b.peer, 100);
  await a.send(b.peer, BIG);
  await b.send(a.peer, BIG);
  await until(async () => (await b.state()).sizes.length === 2 && (await a.state()).sizes.length === 1, "every message to arrive");
  expect((await b.state()).sizes).toEqual([100, BIG]);
  expect((await a.state()).sizes).toEqual([BIG]);
}

describe("direct peers in Chromium", () => {
  it("a Node node and a page connect directly and exchange messages both ways", async () => {
    const page = await openModulePage(session, ENTRIES);
    const [node, browser] = [nodeSide("node-a" as PeerId), await pageSide(page, "page-b" as PeerId)];
    await connect(node, browser);
    await exchange(node, browser);
  });

  it("two pages connect directly and exchange messages both ways", async () => {
    const [p1, p2] = [await openModulePage(session, ENTRIES), await openModulePage(session, ENTRIES)];
    const [a, b] = [await pageSide(p1, "page-a" as PeerId), await pageSide(p2, "page-b" as PeerId)];
    await connect(a, b);
    await exchange(a, b);
  });
});
