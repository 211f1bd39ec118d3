/**
 * What a node offers to whom, on real repos wired by MessageChannel: alice is connected to a relay
 * and, directly (as over WebRTC), to mallory, a removed member. A private pool's epoch document is
 * announced to the relay and never to mallory, who gets it only by asking for its id; a plain
 * document still reaches both. And a pool's repo presents its own storage id per pool.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Repo, type PeerId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { SharePolicy } from "../../../src/core/net/share-policy.ts";
import { storageIdPerScope } from "../../../src/core/net/storage-id-scope.ts";
import { newEpochKey } from "../../../src/core/privacy/epoch-key.ts";
import { openSealedDocument, putSealed } from "../../../src/core/privacy/sealed-document.ts";
import type { PoolId } from "../../../src/core/ledger/types.ts";
import { until } from "../../fixtures/until.ts";
import { shutdownRepo } from "../../../src/core/ledger/closing-storage.ts";

const repos: Repo[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => shutdownRepo(r)));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function pair(): [MessageChannelNetworkAdapter, MessageChannelNetworkAdapter] {
  const { port1, port2 } = new MessageChannel();
  return [new MessageChannelNetworkAdapter(port1 as never), new MessageChannelNetworkAdapter(port2 as never)];
}

const repo = (options: ConstructorParameters<typeof Repo>[0]): Repo => {
  const made = new Repo(options);
  repos.push(made);
  return made;
};

describe("share policy", () => {
  it("announces a private epoch document to relays only; a directly connected peer gets it only by asking for its id", async () => {
    const [aliceToRelay, relaySide] = pair();
    const [aliceToMallory, malloryside] = pair();
    const share = new SharePolicy();
    share.watchRelays([aliceToRelay]);
    const alice = repo({ peerId: "alice" as PeerId, network: [aliceToRelay, aliceToMallory], shareConfig: share.config });
    const relay = repo({ peerId: "relay" as PeerId, network: [relaySide], sharePolicy: async () => false });
    const mallory = repo({ peerId: "mallory" as PeerId, network: [malloryside] });

    const key = newEpochKey("privatepool0000000000000000" as PoolId, 1);
    share.hide(key.documentId);
    const sealed = await openSealedDocument(alice, key);
    putSealed(sealed, new Map([["ab".repeat(32), new Uint8Array([1, 2, 3])]]));
    const plain = alice.create({ note: "a plain document" });

    await until(() => relay.handles[key.documentId]?.isReady() === true, "the relay to receive the epoch document");
    await until(() => mallory.handles[plain.documentId]?.isReady() === true, "mallory to receive the plain document");
    expect(mallory.handles[key.documentId]).toBeUndefined();

    const asked = await mallory.find(key.documentUrl);
    expect(asked.heads()).toEqual(sealed.heads());
  }, 30_000);

  it("gives a pool's repo its own storage id, the same each time it opens", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgepool-storage-id-"));
    dirs.push(dir);
    const storage = new NodeFSStorageAdapter(dir);
    const id = (scope: string) => repo({ storage: storageIdPerScope(storage, scope), network: [] }).storageId();
    const [a, b, again, global] = [await id("pool-a"), await id("pool-b"), await id("pool-a"), await repo({ storage, network: [] }).storageId()];
    expect(a).toBeDefined();
    expect(new Set([a, b, global]).size).toBe(3);
    expect(again).toBe(a);
    expect(() => storageIdPerScope(storage, "../x")).toThrow(TypeError);
  });
});
