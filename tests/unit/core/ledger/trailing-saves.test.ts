import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { bytesToHex } from "../../../../src/core/crypto/index.ts";
import { EntryStore } from "../../../../src/core/ledger/store.ts";
import { TrailingSaves } from "../../../../src/core/ledger/trailing-saves.ts";
import { writeStory, type Story } from "../../../../ledger/vectors/story.ts";

let story: Story;
let dir: string | undefined;
beforeAll(async () => {
  story = await writeStory();
});
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function tempDir(): string {
  dir = mkdtempSync(join(tmpdir(), "edgepool-saves-"));
  return dir;
}

const hexes = (list: readonly { bytes: Uint8Array }[] | Uint8Array[]) => list.map((x) => bytesToHex(x instanceof Uint8Array ? x : x.bytes)).sort();

describe("trailing saves to the node's own store", () => {
  it("writes what arrives during a write as one next chunk, and loses nothing", async () => {
    const adapter = new NodeFSStorageAdapter(tempDir());
    const saves = new TrailingSaves(new EntryStore(adapter, story.pool, 0), new EntryStore(adapter, story.pool, "tokens"));
    // One append at a time, as a node appending its own entries one by one does.
    for (const entry of story.entries) saves.add([entry], []);
    await saves.flushed();
    expect((await adapter.loadRange(["edgepool-ledger", story.pool, "0"])).length).toBe(2);
    expect(hexes(await new EntryStore(adapter, story.pool, 0).load())).toEqual(hexes(story.entries));
  });

  it("reports a failed write once, and keeps writing what comes after it", async () => {
    const root = tempDir();
    // A file where the store's directory should be: every write under it fails (ENOTDIR).
    writeFileSync(join(root, "ed"), "not a directory");
    const broken = new NodeFSStorageAdapter(root);
    const working = new NodeFSStorageAdapter(join(root, "ok"));
    const saves = new TrailingSaves(new EntryStore(broken, story.pool, 0), new EntryStore(working, story.pool, "tokens"));
    saves.add(story.entries.slice(0, 1), []);
    await expect(saves.flushed()).rejects.toThrow(/ENOTDIR|not a directory/);
    await expect(saves.flushed()).resolves.toBeUndefined();
    saves.add([], [{ bytes: new Uint8Array([1, 2, 3]) }]);
    await saves.flushed();
    expect(await new EntryStore(working, story.pool, "tokens").load()).toEqual([new Uint8Array([1, 2, 3])]);
  });
});
