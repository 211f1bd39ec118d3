/**
 * The anonymous jobs a CLI home keeps, in the app's format (core/jobs/anonymous-keys.ts) over file
 * storage under DIR/anonymous, a directory only this user may enter: a kept key proves authorship
 * of its job. Homes from before kept one DIR/anonymous/<job>.json each (schemaVersion 1: pool, job,
 * did, seed in hex); the first open reads them and moves them into the store.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { StorageAdapterInterface } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { parsePoolId, type PoolId } from "../core/capability/pool.ts";
import { hexToBytes } from "../core/crypto/index.ts";
import { anonymousJobKeys, anonymousKey, keepAnonymousJob, type AnonymousJobKey } from "../core/jobs/anonymous-keys.ts";
import { isEntryId } from "../core/ledger/schema.ts";
import type { EntryId } from "../core/ledger/types.ts";
import type { CliIo } from "./command.ts";

export const anonymousJobsDir = (home: string): string => join(home, "anonymous");

/** The home's store of kept anonymous jobs, with any old-format files moved into it. */
export async function anonymousJobStore(home: string, io: CliIo): Promise<StorageAdapterInterface> {
  const dir = anonymousJobsDir(home);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const store = new NodeFSStorageAdapter(dir);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".json")) continue;
    const file = join(dir, entry.name);
    const read = oldKeptJob(await readFile(file, "utf8"), (await stat(file)).mtimeMs);
    if (!read.ok) {
      io.err(`Left ${file} where it is: it is not a kept anonymous job this version can read (${read.message}).`);
      continue;
    }
    await keepAnonymousJob(store, read.kept);
    await unlink(file);
  }
  return store;
}

/** The kept key of `job` in `pool`, if this home submitted it anonymously. */
export async function keptAnonymousJob(home: string, io: CliIo, pool: PoolId, job: EntryId): Promise<AnonymousJobKey | undefined> {
  if (!existsSync(anonymousJobsDir(home))) return undefined;
  return (await anonymousJobKeys(await anonymousJobStore(home, io), pool)).find((kept) => kept.job === job);
}

type OldKeptJob = { ok: true; kept: AnonymousJobKey } | { ok: false; message: string };

/** One DIR/anonymous/<job>.json of an older version; `modified` (its mtime) stands for when it was submitted. */
function oldKeptJob(text: string, modified: number): OldKeptJob {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not JSON: ${(error as Error).message}` };
  }
  const { schemaVersion, pool, job, did, seed } = (parsed ?? {}) as Record<string, unknown>;
  if (schemaVersion !== 1) return { ok: false, message: `schemaVersion ${JSON.stringify(schemaVersion)}, expected 1` };
  const poolId = parsePoolId(typeof pool === "string" ? pool : "");
  if (!poolId.ok) return { ok: false, message: `pool: ${poolId.message}` };
  if (!isEntryId(job)) return { ok: false, message: "job is not an entry id" };
  if (typeof seed !== "string" || !/^[0-9a-f]{64}$/.test(seed)) return { ok: false, message: "seed is not 32 bytes of hex" };
  const seedBytes = hexToBytes(seed);
  if (anonymousKey(seedBytes).did !== did) return { ok: false, message: "the seed's key is not the did the file names" };
  return { ok: true, kept: { pool: poolId.pool, job: job as EntryId, seed: seedBytes, relay: undefined, submitted: Math.floor(modified) } };
}
