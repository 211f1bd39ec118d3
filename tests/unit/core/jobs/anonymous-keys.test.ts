import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { anonymousJobKeys, forgetAnonymousJob, keepAnonymousJob } from "../../../../src/core/jobs/anonymous-keys.ts";
import type { PoolId } from "../../../../src/core/capability/pool.ts";
import type { EntryId } from "../../../../src/core/ledger/types.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const pool = "pool-a" as PoolId;
const other = "pool-b" as PoolId;
const kept = (job: string, submitted: number, relay?: string) => ({ pool, job: job as EntryId, seed: new Uint8Array(32).fill(submitted % 256), relay, submitted });

describe("anonymous job keys", () => {
  it("keeps each job's key in the node's storage, lists a pool's newest first, and forgets one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgepool-anonymous-keys-"));
    dirs.push(dir);
    const storage = new NodeFSStorageAdapter(dir);
    await keepAnonymousJob(storage, kept("job-1", 1_000, "wss://relay.example.org/"));
    await keepAnonymousJob(storage, kept("job-2", 2_000));
    await keepAnonymousJob(storage, { ...kept("job-3", 3_000), pool: other });

    // Read back by a fresh adapter on the same directory, as after a restart.
    const listed = await anonymousJobKeys(new NodeFSStorageAdapter(dir), pool);
    expect(listed).toEqual([kept("job-2", 2_000), kept("job-1", 1_000, "wss://relay.example.org/")]);

    await forgetAnonymousJob(storage, pool, "job-2" as EntryId);
    expect((await anonymousJobKeys(storage, pool)).map((k) => k.job)).toEqual(["job-1"]);
    expect((await anonymousJobKeys(storage, other)).map((k) => k.job)).toEqual(["job-3"]);
  });

  it("leaves out an item it cannot read instead of failing the list", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgepool-anonymous-keys-"));
    dirs.push(dir);
    const storage = new NodeFSStorageAdapter(dir);
    await keepAnonymousJob(storage, kept("good", 5));
    await storage.save(["edgepool-anonymous-jobs", pool, "garbled"], new Uint8Array([0xff, 0x00, 0x13]));
    expect((await anonymousJobKeys(storage, pool)).map((k) => k.job)).toEqual(["good"]);
  });
});
