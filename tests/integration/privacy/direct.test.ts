/**
 * A private pool's direct peers over real WebRTC (node-datachannel): bob and carol find each other
 * through hellos sealed on the epoch document (the relay forwards only ciphertext, signals.test.ts),
 * connect directly, and a sealed blob bob puts (node:crypto's cipher) reaches carol over the data
 * channel (opened with WebCrypto's): the ciphertext crossed the channel, the plaintext never did.
 */
import { afterEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { nodeBlobCipher } from "../../../src/core/crypto/aes-gcm-node.ts";
import { bytesEqual } from "../../../src/core/crypto/index.ts";
import { BlobStore } from "../../../src/core/jobs/blobs.ts";
import { SealedBlobs } from "../../../src/core/jobs/job-blobs.ts";
import { startDirectPeers, type DirectPeers } from "../../../src/core/net/direct.ts";
import type { PeerConnectionFactory } from "../../../src/core/net/direct-peer.ts";
import { nodePeerConnectionFactory } from "../../../src/core/net/peer-connection-node.ts";
import { sealedSignals } from "../../../src/core/privacy/sealed-signals.ts";
import { until } from "../../fixtures/until.ts";
import { privatePool, type Member, type PrivatePool } from "./private-pool.ts";

let pool: PrivatePool | undefined;
const direct: DirectPeers[] = [];
afterEach(async () => {
  for (const d of direct.splice(0)) d.close();
  await pool?.close();
  pool = undefined;
});

/** A member's direct peers as the CLI starts them in a private pool (cli/direct-peers.ts). */
function directOf(member: Member, createPeerConnection: PeerConnectionFactory = nodePeerConnectionFactory): DirectPeers {
  const started = startDirectPeers({ repo: member.peer.repo, ledger: member.node.ledger, identity: member.who, createPeerConnection, helloMs: 300, signals: sealedSignals(member.node) });
  direct.push(started);
  return started;
}

/** Real connections that also hand every message arriving on a channel this side opened to `seen`. */
const tapped =
  (seen: (bytes: Uint8Array) => void): PeerConnectionFactory =>
  (config) => {
    const pc = nodePeerConnectionFactory(config);
    const create = pc.createDataChannel.bind(pc);
    pc.createDataChannel = (label, init) => {
      const channel = create(label, init);
      channel.addEventListener("message", (e) => seen(new Uint8Array(e.data as ArrayBuffer)));
      return channel;
    };
    return pc;
  };

const pathTo = (from: DirectPeers, to: Member) => from.peers().find((p) => p.did === to.who.did)?.path;
/** Whether `haystack` holds `needle`'s bytes anywhere. */
const holds = (haystack: Uint8Array, needle: Uint8Array): boolean => Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0;

describe("direct peers of a private pool", () => {
  it("connect over WebRTC through sealed signals, and a sealed blob crosses the data channel as ciphertext only", async () => {
    pool = await privatePool();
    const { bob, carol } = pool;
    await until(() => bob.node.ledger.state.privacy !== undefined && carol.node.ledger.state.privacy !== undefined, "bob and carol read the sealed genesis", 60_000);
    // Everything carol receives on a data channel, whichever side opened it.
    const received: Uint8Array[] = [];
    const [atBob, atCarol] = [directOf(bob), directOf(carol, tapped((bytes) => received.push(bytes)))];
    await until(() => pathTo(atBob, carol) === "direct" && pathTo(atCarol, bob) === "direct", "a direct connection both ways", 60_000);
    atCarol.mesh.onChannel(({ channel }) => channel.addEventListener("message", (e) => received.push(new Uint8Array(e.data as ArrayBuffer))));
    const bytes = new Uint8Array(randomBytes(2 * 1024 * 1024));
    const ref = await new SealedBlobs(new BlobStore(bob.peer.repo, atBob.blobs), nodeBlobCipher).put(bytes);
    const got = await new SealedBlobs(new BlobStore(carol.peer.repo, atCarol.blobs)).get(ref, { timeoutMs: 60_000 });
    expect(got.ok && bytesEqual(got.bytes, bytes)).toBe(true);
    const fromBob = atCarol.mesh.stats().find((s) => s.peer === bob.peer.repo.peerId)?.bytesReceived ?? 0;
    expect(fromBob).toBeGreaterThan(bytes.length);
    expect(received.reduce((n, m) => n + m.length, 0)).toBeGreaterThan(bytes.length);
    for (const message of received) for (const at of [0, 1_000_000, bytes.length - 64]) expect(holds(message, bytes.subarray(at, at + 64))).toBe(false);
  }, 180_000);
});
