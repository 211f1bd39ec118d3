import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { anonymousJobStore, anonymousJobsDir, keptAnonymousJob } from "../../../src/cli/anonymous-jobs-home.ts";
import type { CliIo } from "../../../src/cli/command.ts";
import { derivePoolId } from "../../../src/core/capability/pool.ts";
import { bytesToHex, seedSigningKey, utf8 } from "../../../src/core/crypto/index.ts";
import { didFromPublicKey } from "../../../src/core/identity/did-key.ts";
import { anonymousJobKeys } from "../../../src/core/jobs/anonymous-keys.ts";
import { entryIdOf } from "../../../src/core/ledger/codec.ts";

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), "edgepool-anonymous-home-"));
  homes.push(home);
  return home;
}

function quietIo(): CliIo & { errors: string[] } {
  const errors: string[] = [];
  return { errors, out: () => {}, err: (line) => errors.push(line), env: {}, stdinIsTty: false };
}

const seed = new Uint8Array(32).fill(7);
const did = didFromPublicKey(seedSigningKey(seed).publicKey);
const pool = derivePoolId(did, new Uint8Array(16));
const job = entryIdOf(utf8("an anonymous job"));

/** DIR/anonymous/<job>.json as the CLI wrote it before it used core/jobs/anonymous-keys.ts. */
function writeOldFile(home: string, name: string, content: string, modified: Date): string {
  mkdirSync(anonymousJobsDir(home), { recursive: true, mode: 0o700 });
  const file = join(anonymousJobsDir(home), name);
  writeFileSync(file, content, { mode: 0o600 });
  utimesSync(file, modified, modified);
  return file;
}

describe("a CLI home's kept anonymous jobs", () => {
  it("moves an older version's job files into the app's format once, and lists them like the app", async () => {
    const home = tempHome();
    const submitted = new Date(1_790_000_000_000);
    const old = writeOldFile(home, `${job}.json`, JSON.stringify({ schemaVersion: 1, pool, job, did, seed: bytesToHex(seed) }) + "\n", submitted);
    const io = quietIo();

    expect(await keptAnonymousJob(home, io, pool, job)).toEqual({ pool, job, seed, relay: undefined, submitted: submitted.getTime() });
    expect(existsSync(old)).toBe(false);
    expect(statSync(anonymousJobsDir(home)).mode & 0o777).toBe(0o700);
    // Read again from the store alone, as the next process would.
    expect((await anonymousJobKeys(await anonymousJobStore(home, io), pool)).map((kept) => kept.job)).toEqual([job]);
    expect(io.errors).toEqual([]);
  });

  it("leaves a file it cannot read where it is and says so, and keeps the others", async () => {
    const home = tempHome();
    const when = new Date(1_790_000_000_000);
    const good = writeOldFile(home, `${job}.json`, JSON.stringify({ schemaVersion: 1, pool, job, did, seed: bytesToHex(seed) }), when);
    const otherSeed = bytesToHex(new Uint8Array(32).fill(8));
    const bad = [
      writeOldFile(home, "garbled.json", "{ not json", when),
      writeOldFile(home, "future.json", JSON.stringify({ schemaVersion: 2, pool, job, did, seed: bytesToHex(seed) }), when),
      // A seed that is not the named key's: a mangled or planted file.
      writeOldFile(home, "swapped.json", JSON.stringify({ schemaVersion: 1, pool, job: entryIdOf(utf8("another")), did, seed: otherSeed }), when),
      writeOldFile(home, "bad-pool.json", JSON.stringify({ schemaVersion: 1, pool: "../../etc", job, did, seed: bytesToHex(seed) }), when),
    ];
    const io = quietIo();

    expect((await anonymousJobKeys(await anonymousJobStore(home, io), pool)).map((kept) => kept.job)).toEqual([job]);
    expect(existsSync(good)).toBe(false);
    for (const file of bad) expect(existsSync(file), file).toBe(true);
    expect(io.errors).toHaveLength(4);
    expect(io.errors.join("\n")).toMatch(/garbled\.json where it is: .*not JSON/);
    expect(io.errors.join("\n")).toContain("schemaVersion 2");
    expect(io.errors.join("\n")).toContain("the seed's key is not the did the file names");
    expect(io.errors.join("\n")).toContain("pool: not a pool id");
  });

  it("finds no kept job in a home that never submitted one, and creates nothing there", async () => {
    const home = tempHome();
    expect(await keptAnonymousJob(home, quietIo(), pool, job)).toBeUndefined();
    expect(readdirSync(home)).toEqual([]);
  });
});
