import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Repo } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { shutdownRepo } from "../../../../src/core/ledger/closing-storage.ts";
import { storageNamespace } from "../../../../src/core/net/storage-namespace.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function store(): NodeFSStorageAdapter {
  const dir = mkdtempSync(join(tmpdir(), "edgepool-namespace-"));
  dirs.push(dir);
  return new NodeFSStorageAdapter(dir);
}

describe("storageNamespace", () => {
  it("keeps a repo's documents and storage id under its prefix, where the store's other repos never see them", async () => {
    const storage = store();
    const prefix = ["edgepool-anonymous-repo", "job-key"];
    const anonymous = new Repo({ storage: storageNamespace(storage, prefix), network: [] });
    const shared = new Repo({ storage, network: [] });
    const handle = anonymous.create({ note: "written by the anonymous repo" });
    const [anonymousId, sharedId] = [await anonymous.storageId(), await shared.storageId()];
    await shutdownRepo(anonymous);
    await shutdownRepo(shared);

    expect(anonymousId).toBeDefined();
    expect(anonymousId).not.toBe(sharedId);
    expect(await storage.loadRange([handle.documentId])).toEqual([]);
    const inside = await storageNamespace(storage, prefix).loadRange([handle.documentId]);
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.every(({ key }) => key[0] === handle.documentId)).toBe(true);

    // The same namespace opens the document and the storage id again, as after a reload.
    const again = new Repo({ storage: storageNamespace(storage, prefix), network: [] });
    expect((await again.find<{ note: string }>(handle.url)).doc().note).toBe("written by the anonymous repo");
    expect(await again.storageId()).toBe(anonymousId);
    await shutdownRepo(again);
  });

  it("removes only its own items, and refuses an empty prefix", async () => {
    const storage = store();
    await storage.save(["kept", "a"], new Uint8Array([1]));
    const namespace = storageNamespace(storage, ["ns", "one"]);
    await namespace.save(["kept", "a"], new Uint8Array([2]));
    expect(await storage.load(["ns", "one", "kept", "a"])).toEqual(new Uint8Array([2]));
    await namespace.removeRange(["kept"]);
    expect(await namespace.load(["kept", "a"])).toBeUndefined();
    expect(await storage.load(["kept", "a"])).toEqual(new Uint8Array([1]));
    expect(() => storageNamespace(storage, [])).toThrow(TypeError);
    expect(() => storageNamespace(storage, ["ns", ""])).toThrow(TypeError);
  });
});
