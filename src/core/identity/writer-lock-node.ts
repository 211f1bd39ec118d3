/**
 * The writer role in Node (writer-role.ts): a lock file `<home>/writer-<pool>.lock` beside the
 * identity, one per pool the identity writes in, written whole and linked into place
 * (atomic-file-node.ts: the link fails when the file exists), so two processes cannot both create
 * it and nobody reads half of one. It names the holder's pid and a random token; only the holder
 * of that token removes it. A lock whose pid is no longer alive (a
 * crash, SIGKILL) is stale and taken over. A recycled pid makes a stale lock look held: the refusal
 * names the pid, so a person can check it and delete the file.
 *
 * File: {"format":"edgepool-writer-lock","version":1,"pid":4242,"token":"<hex>","since":<ms>,"command":"work"}
 */
import { readFileSync, unlinkSync } from "node:fs";
import { link, readFile, rename, unlink } from "node:fs/promises";
import { constants } from "node:os";
import { join } from "node:path";
import { bytesToHex, randomBytes } from "../crypto/index.ts";
import { errorCode, writeFileAtomic } from "./atomic-file-node.ts";
import { describeHolder, type HeldWriterRole, type WriterClaim, type WriterHolder } from "./writer-role.ts";

/** The lock of `scope` (a pool id: sequence numbers count per pool) in the identity's directory. */
export const writerLockPath = (home: string, scope: string): string => join(home, `writer-${scope}.lock`);
const SCOPE = /^[a-z0-9]{1,100}$/;
const FORMAT = "edgepool-writer-lock";
const MAX_FILE_BYTES = 4096;
/** Rounds of "create, else look at the holder": each lost race (a release, a takeover) costs one. */
const ATTEMPTS = 4;
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

interface LockFile {
  readonly format: typeof FORMAT;
  readonly version: 1;
  readonly pid: number;
  readonly token: string;
  readonly since: number;
  readonly command?: string;
}

export interface WriterLockOptions {
  /** What this process runs (shown to a second writer), e.g. "work". */
  readonly command?: string;
  readonly now?: () => number;
}

type Seen = { kind: "none" } | { kind: "lock"; lock: LockFile; text: string } | { kind: "unreadable"; message: string };

const holderOf = (lock: LockFile): WriterHolder => ({ pid: lock.pid, since: lock.since, ...(lock.command !== undefined ? { command: lock.command } : {}) });

function parse(text: string): LockFile | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockFile>;
    const valid = value.format === FORMAT && value.version === 1 && Number.isSafeInteger(value.pid) && value.pid! > 0 && typeof value.token === "string" && typeof value.since === "number";
    return valid && (value.command === undefined || typeof value.command === "string") ? (value as LockFile) : undefined;
  } catch {
    return undefined;
  }
}

async function see(path: string): Promise<Seen> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return { kind: "none" };
    return { kind: "unreadable", message: `cannot read ${path}: ${(error as Error).message}` };
  }
  const lock = text.length <= MAX_FILE_BYTES ? parse(text) : undefined;
  if (!lock) return { kind: "unreadable", message: `${path} is not a writer lock EdgePool wrote; if no EdgePool process runs on this identity, delete it` };
  return { kind: "lock", lock, text };
}

/** Alive as far as this user can tell: EPERM means a process of another user holds the pid. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === "EPERM";
  }
}

/**
 * Removes the stale lock `stale` unless someone replaced it meanwhile: it is moved aside first
 * (rename is atomic), so what is deleted is exactly what was judged stale; a live lock moved aside
 * by a lost race goes back.
 */
async function removeStale(path: string, stale: string, token: string): Promise<void> {
  const aside = `${path}.${token}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return;
    throw error;
  }
  const moved = await readFile(aside, "utf8").catch(() => stale);
  if (moved !== stale) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/** Takes `<home>/writer-<scope>.lock` for this process, or says who holds it. */
export async function claimWriterLock(home: string, scope: string, options: WriterLockOptions = {}): Promise<WriterClaim> {
  if (!SCOPE.test(scope)) return { ok: false, reason: "unavailable", message: `a writer lock's scope is a pool id (lower-case letters and digits), got ${JSON.stringify(scope)}` };
  const path = writerLockPath(home, scope);
  const mine: LockFile = {
    format: FORMAT,
    version: 1,
    pid: process.pid,
    token: bytesToHex(randomBytes(16)),
    since: (options.now ?? Date.now)(),
    ...(options.command !== undefined ? { command: options.command } : {}),
  };
  const text = JSON.stringify(mine);
  let tookOver: WriterHolder | undefined;
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if ((await writeFileAtomic(path, text, { overwrite: false })) === "written") return { ok: true, role: holdLock(path, mine), ...(tookOver ? { tookOver } : {}) };
      const seen = await see(path);
      if (seen.kind === "none") continue;
      if (seen.kind === "unreadable") return { ok: false, reason: "unavailable", message: seen.message };
      const holder = holderOf(seen.lock);
      if (processAlive(seen.lock.pid)) return { ok: false, reason: "held", holder, message: `this identity's writer role is held by ${describeHolder(holder)}` };
      await removeStale(path, seen.text, mine.token);
      tookOver = holder;
    }
  } catch (error) {
    return { ok: false, reason: "unavailable", message: `cannot take the writer lock ${path}: ${(error as Error).message}` };
  }
  return { ok: false, reason: "unavailable", message: `could not take the writer lock ${path}: other processes kept taking and releasing it` };
}

/**
 * The held lock: released by `release()`, and by this process's exit however it ends short of
 * SIGKILL. On SIGINT, SIGTERM or SIGHUP a command that listens for the signal itself (`work`)
 * stops its node and releases; otherwise the lock goes and the process ends as the signal would
 * have ended it.
 */
function holdLock(path: string, mine: LockFile): HeldWriterRole {
  const ours = (text: string): boolean => parse(text)?.token === mine.token;
  const releaseNow = (): void => {
    try {
      if (ours(readFileSync(path, "utf8"))) unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) return;
    releaseNow();
    process.exit(128 + (constants.signals[signal] ?? 0));
  };
  process.on("exit", releaseNow);
  // First in line, so the count still includes a command's `once` listener (removed before it runs).
  for (const signal of SIGNALS) process.prependListener(signal, onSignal);
  let released = false;
  return {
    holder: holderOf(mine),
    async release() {
      if (released) return;
      released = true;
      process.off("exit", releaseNow);
      for (const signal of SIGNALS) process.off(signal, onSignal);
      const text = await readFile(path, "utf8").catch(() => "");
      if (ours(text)) await unlink(path).catch(() => undefined);
    },
  };
}
