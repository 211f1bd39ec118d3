import { afterEach, describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import { parseAutomergeUrl, Repo, type PeerId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { BlobStore, blobHash, blobUrl } from "../../../src/core/jobs/blobs.ts";
import { shutdownRepo } from "../../../src/core/ledger/closing-storage.ts";

let repos: Repo[] = [];
afterEach(async () => {
  await Promise.all(repos.map((r) => shutdownRepo(r)));
  repos = [];
});

function pair(): [Repo, Repo] {
  const { port1, port2 } = new MessageChannel();
  repos = [
    new Repo({ peerId: "a" as PeerId, network: [new MessageChannelNetworkAdapter(port1 as never)] }),
    new Repo({ peerId: "b" as PeerId, network: [new MessageChannelNetworkAdapter(port2 as never)] }),
  ];
  return repos as [Repo, Repo];
}

describe("content-addressed blobs over automerge-repo", () => {
  it("a peer fetches a blob by hash, also one that appears after it asked", async () => {
    const [a, b] = pair();
    const early = new Uint8Array(40_000).fill(7);
    const hash = await new BlobStore(a).put(early);
    expect(hash).toBe(blobHash(early));
    const got = await new BlobStore(b).get(hash, { timeoutMs: 15_000 });
    expect(got.ok && got.bytes).toEqual(early);
    const late = new Uint8Array(20_000).fill(8);
    const asked = new BlobStore(b).get(blobHash(late), { timeoutMs: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await new BlobStore(a).put(late);
    const arrived = await asked;
    expect(arrived.ok && arrived.bytes).toEqual(late);
  });

  it("two nodes that put the same blob share one document; a forged value under a blob's name is never returned", async () => {
    const [a, b] = pair();
    const bytes = new Uint8Array([1, 2, 3]);
    await new BlobStore(a).put(bytes);
    await new BlobStore(b).put(bytes);
    const handle = await a.find<{ bytes: Uint8Array }>(blobUrl(blobHash(bytes)));
    expect(A.getHistory(handle.doc())).toHaveLength(1);
    // mallory writes other bytes under the name of a blob: readers wait, never accept them...
    const real = new Uint8Array([4, 5, 6]);
    const docId = parseAutomergeUrl(blobUrl(blobHash(real))).documentId;
    a.import(A.save(A.change(A.init<{ bytes: Uint8Array }>(), (d) => (d.bytes = new Uint8Array([6, 6, 6])))), { docId });
    expect(await new BlobStore(b).get(blobHash(real), { timeoutMs: 1_000 })).toMatchObject({ ok: false, reason: "unavailable" });
    // ...and once the real bytes are put, the conflicting write does not hide them.
    await new BlobStore(a).put(real);
    const got = await new BlobStore(b).get(blobHash(real), { timeoutMs: 15_000 });
    expect(got.ok && got.bytes).toEqual(real);
  });
});
