import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { bytesToHex, sha256 } from "../../../../src/core/crypto/index.ts";
import { EntryStore } from "../../../../src/core/ledger/store.ts";
import { TrailingSaves } from "../../../../src/core/ledger/trailing-saves.ts";
import type { SignedEntry } from "../../../../src/core/ledger/types.ts";
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

function storage(): NodeFSStorageAdapter {
  dir = mkdtempSync(join(tmpdir(), "edgepool-store-"));
  return new NodeFSStorageAdapter(dir);
}

const hexes = (list: Uint8Array[]) => list.map(bytesToHex).sort();

describe("the node's own entry store", () => {
  it("loads only its own epoch: epoch 1 does not read (or merge away) epoch 10's chunks", async () => {
    const adapter = storage();
    // Enough chunks in epoch 10 that a load which took them for its own would also merge them away.
    const slices = story.entries.flatMap((_, i) => story.entries.map((__, j) => story.entries.slice(i, j + 1))).filter((c) => c.length > 0);
    for (const chunk of slices.slice(0, 65)) await new EntryStore(adapter, story.pool, 10).save(chunk);
    await new EntryStore(adapter, story.pool, 1).save(story.entries.slice(0, 2));
    expect(hexes(await new EntryStore(adapter, story.pool, 1).load())).toEqual(hexes(story.entries.slice(0, 2).map((s) => s.bytes)));
    expect(hexes(await new EntryStore(adapter, story.pool, 10).load())).toEqual(hexes(story.entries.map((s) => s.bytes)));
    // And from disk, through a fresh adapter (no cache).
    const fresh = new NodeFSStorageAdapter(dir);
    expect(await new EntryStore(fresh, story.pool, 1).load()).toHaveLength(2);
  });

  it("loses no earlier entry when a crash tears the chunk being written", async () => {
    const adapter = storage();
    const store = new EntryStore(adapter, story.pool, 0);
    await store.save(story.entries.slice(0, 5));
    await store.save(story.entries.slice(5, 10));
    // A crash in the middle of the third append: its file holds only part of the chunk.
    const torn = new Uint8Array(40).fill(0x85);
    await adapter.save(["edgepool-ledger", story.pool, "0", bytesToHex(sha256(new Uint8Array([1, 2, 3])))], torn);
    const loaded = await new EntryStore(adapter, story.pool, 0).load();
    expect(hexes(loaded)).toEqual(hexes(story.entries.slice(0, 10).map((s) => s.bytes)));
  });

  it("merges many chunks into one without losing or duplicating an entry", async () => {
    const adapter = storage();
    const store = new EntryStore(adapter, story.pool, 0);
    // The store keeps bytes, whatever they are (validation happens on load, by the ledger).
    const items = Array.from({ length: 70 }, (_, i) => ({ bytes: Uint8Array.of(i, i + 1) }) as unknown as SignedEntry);
    for (const item of items) await store.save([item]);
    await store.save(items.slice(0, 3));
    expect(hexes(await new EntryStore(adapter, story.pool, 0).load())).toEqual(hexes(items.map((i) => i.bytes)));
    expect((await adapter.loadRange(["edgepool-ledger", story.pool, "0"])).length).toBe(1);
    expect(hexes(await new EntryStore(adapter, story.pool, 0).load())).toEqual(hexes(items.map((i) => i.bytes)));
  });
});

describe("trailing saves to the node's own store", () => {
  it("writes entries accepted one by one in a burst as one chunk, and loses nothing", async () => {
    const adapter = storage();
    const saves = new TrailingSaves(new EntryStore(adapter, story.pool, 0), new EntryStore(adapter, story.pool, "tokens"));
    // One append at a time, as a node appending its own entries one by one does.
    for (const entry of story.entries) saves.add([entry], []);
    await saves.flushed();
    expect((await adapter.loadRange(["edgepool-ledger", story.pool, "0"])).length).toBe(1);
    expect(hexes(await new EntryStore(adapter, story.pool, 0).load())).toEqual(hexes(story.entries.map((s) => s.bytes)));
  });

  it("waits for company before writing, unless flushed", async () => {
    const adapter = storage();
    const saves = new TrailingSaves(new EntryStore(adapter, story.pool, 0), new EntryStore(adapter, story.pool, "tokens"), 60_000);
    saves.add(story.entries.slice(0, 2), []);
    await new Promise((resolve) => setImmediate(resolve));
    saves.add(story.entries.slice(2), []);
    expect(await adapter.loadRange(["edgepool-ledger", story.pool, "0"])).toEqual([]);
    await saves.flushed();
    expect((await adapter.loadRange(["edgepool-ledger", story.pool, "0"])).length).toBe(1);
    expect(hexes(await new EntryStore(adapter, story.pool, 0).load())).toEqual(hexes(story.entries.map((s) => s.bytes)));
  });

  it("reports a failed write once, and keeps writing what comes after it", async () => {
    storage();
    // A file where the store's directory should be: every write under it fails (ENOTDIR).
    writeFileSync(join(dir!, "ed"), "not a directory");
    const working = new NodeFSStorageAdapter(join(dir!, "ok"));
    const saves = new TrailingSaves(new EntryStore(new NodeFSStorageAdapter(dir!), story.pool, 0), new EntryStore(working, story.pool, "tokens"));
    saves.add(story.entries.slice(0, 1), []);
    await expect(saves.flushed()).rejects.toThrow(/ENOTDIR|not a directory/);
    await expect(saves.flushed()).resolves.toBeUndefined();
    saves.add([], [{ bytes: new Uint8Array([1, 2, 3]) }]);
    await saves.flushed();
    expect(await new EntryStore(working, story.pool, "tokens").load()).toEqual([new Uint8Array([1, 2, 3])]);
  });
});
