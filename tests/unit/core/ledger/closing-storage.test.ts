import { afterEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { ClosingStorage } from "../../../../src/core/ledger/closing-storage.ts";

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
});
