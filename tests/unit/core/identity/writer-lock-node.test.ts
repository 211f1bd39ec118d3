/**
 * The writer role in Node, between real processes: a lock file in the identity's directory that a
 * second writer cannot take while its holder lives, that outlives no holder (exit, SIGTERM), and
 * that a dead holder leaves stale for the next one to take over.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { claimWriterLock, writerLockPath } from "../../../../src/core/identity/writer-lock-node.ts";
import type { WriterClaim } from "../../../../src/core/identity/writer-role.ts";

const childScript = fileURLToPath(new URL("../../../fixtures/writer-lock-child.ts", import.meta.url));

let home: string;
const POOL = "pool1";
const lockPath = () => writerLockPath(home, POOL);
const children: ChildProcess[] = [];
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "edgepool-writer-lock-"));
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await rm(home, { recursive: true, force: true });
});

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once("exit", (code) => resolve(code)));

/** A process holding the lock of `home` (the fixture), once it says so. */
async function holder(...args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, home, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  let out = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("held\n")) resolve();
    });
    child.once("exit", () => (out.includes("held\n") ? resolve() : reject(new Error(`the holder exited without the lock: ${out}`))));
  });
  return child;
}

const release = async (claim: WriterClaim) => {
  if (claim.ok) await claim.role.release();
};

describe("the writer lock (Node)", () => {
  it("refuses a second writer while a live process holds the role, naming its pid and command", async () => {
    const child = await holder();
    const claim = await claimWriterLock(home, POOL);
    expect(claim).toMatchObject({ ok: false, reason: "held", holder: { pid: child.pid, command: "work" } });
    expect(!claim.ok && claim.message).toContain(`pid ${child.pid}`);
  });

  it("is released when its holder ends by SIGTERM (exit 143) or by exiting normally", async () => {
    const child = await holder();
    child.kill("SIGTERM");
    expect(await exited(child)).toBe(143);
    expect(existsSync(lockPath())).toBe(false);

    const quitter = await holder("--exit");
    expect(await exited(quitter)).toBe(0);
    expect(existsSync(lockPath())).toBe(false);
    const claim = await claimWriterLock(home, POOL);
    expect(claim.ok).toBe(true);
    await release(claim);
  });

  it("leaves a signal to a command that handles it itself, even one listening since before the lock", async () => {
    const child = await holder("--handles-signal");
    child.kill("SIGTERM");
    expect(await exited(child)).toBe(0);
    expect(existsSync(lockPath())).toBe(false);
  });

  it("takes over a lock whose process is gone, and says whose it was", async () => {
    const dead = await holder();
    dead.kill("SIGKILL");
    await exited(dead);
    expect(existsSync(lockPath())).toBe(true);
    const claim = await claimWriterLock(home, POOL, { command: "invite" });
    expect(claim).toMatchObject({ ok: true, tookOver: { pid: dead.pid, command: "work" } });
    expect(JSON.parse(await readFile(lockPath(), "utf8"))).toMatchObject({ pid: process.pid, command: "invite" });
    await release(claim);
  });

  it("lets exactly one of two claims made at once win", async () => {
    const claims = await Promise.all([claimWriterLock(home, POOL), claimWriterLock(home, POOL)]);
    expect(claims.filter((c) => c.ok)).toHaveLength(1);
    expect(claims.find((c) => !c.ok)).toMatchObject({ reason: "held", holder: { pid: process.pid } });
    await Promise.all(claims.map(release));
  });

  it("releases only its own lock: after a takeover, the old holder's release leaves the new lock", async () => {
    const first = await claimWriterLock(home, POOL);
    expect(first.ok).toBe(true);
    await rm(lockPath());
    const second = await claimWriterLock(home, POOL);
    expect(second.ok).toBe(true);
    await release(first);
    expect(existsSync(lockPath())).toBe(true);
    await release(second);
    expect(existsSync(lockPath())).toBe(false);
  });

  it("scopes the role to a pool: a writer in another pool is not refused", async () => {
    await holder();
    const other = await claimWriterLock(home, "pool2");
    expect(other.ok).toBe(true);
    await release(other);
  });

  it("reports a file it did not write and never deletes it", async () => {
    await writeFile(lockPath(), "not a lock");
    const claim = await claimWriterLock(home, POOL);
    expect(claim).toMatchObject({ ok: false, reason: "unavailable" });
    expect(!claim.ok && claim.message).toContain("delete it");
    expect(await readFile(lockPath(), "utf8")).toBe("not a lock");
  });
});
