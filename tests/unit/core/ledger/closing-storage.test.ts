import { afterEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Repo, type AnyDocumentId } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { ClosingStorage, shutdownRepo } from "../../../../src/core/ledger/closing-storage.ts";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function files(): { inner: NodeFSStorageAdapter; storage: ClosingStorage } {
  dir = mkdtempSync(join(tmpdir(), "edgepool-closing-"));
  const inner = new NodeFSStorageAdapter(dir);
  return { inner, storage: new ClosingStorage(inner) };
}

describe("closing storage", () => {
  it("finishes the writes in flight when it closes, and drops every later one", async () => {
    const { inner, storage } = files();
    const inFlight = storage.save(["doc", "a"], new Uint8Array([1]));
    await storage.close();
    await inFlight;
    expect(await new NodeFSStorageAdapter(dir!).load(["doc", "a"])).toEqual(new Uint8Array([1]));
    await storage.save(["doc", "b"], new Uint8Array([2]));
    await storage.remove(["doc", "a"]);
    await storage.removeRange(["doc"]);
    expect(await inner.loadRange(["doc"])).toHaveLength(1);
    expect(existsSync(join(dir!, "do", "c", "b"))).toBe(false);
  });

  it("shuts a repo down that asked for a document nobody had, and saves the documents it holds", async () => {
    const { storage } = files();
    const repo = new Repo({ storage });
    const held = repo.create({ n: 1 });
    // A fresh id that no storage and no peer holds: the handle ends unavailable.
    const missing = new Repo().create({}).url as AnyDocumentId;
    await expect(repo.find(missing)).rejects.toThrow(/unavailable/);
    await expect(repo.flush()).rejects.toThrow(/not ready/);
    await shutdownRepo(repo, storage);
    const reopened = new Repo({ storage: new NodeFSStorageAdapter(dir!) });
    expect((await reopened.find<{ n: number }>(held.url)).doc()).toEqual({ n: 1 });
  });
});
