/**
 * `edgepool demo` as a user runs it, stopped with Ctrl-C once its workers are busy: every process
 * it started stops with it and its temporary directory goes. (Linux: child processes are read
 * from /proc.)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { until } from "../../fixtures/until.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
let dir: string | undefined;
let demo: ChildProcess | undefined;
let children: number[] = [];

/** A process's state letter from /proc (undefined once it is gone; "Z" for a zombie). */
function state(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0];
  } catch {
    return undefined;
  }
}

const alive = (pid: number): boolean => ![undefined, "Z", "X"].includes(state(pid));

/** The `edgepool <command>` processes whose parent is `pid` (not, say, the esbuild service tsx starts). */
function edgepoolChildrenOf(pid: number, command = ""): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // Fields after the command's closing parenthesis: state, ppid, ...
        const parent = Number(readFileSync(`/proc/${name}/stat`, "utf8").replace(/^.*\) /s, "").split(" ")[1]);
        return parent === pid && readFileSync(`/proc/${name}/cmdline`, "utf8").includes(`edgepool.js\0${command}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

afterAll(async () => {
  // A test that failed before Ctrl-C leaves the demo's joins or workers running: stop them too.
  const left = demo?.pid === undefined ? [] : edgepoolChildrenOf(demo.pid);
  demo?.kill("SIGKILL");
  for (const pid of [...children, ...left].filter(alive)) process.kill(pid, "SIGKILL");
  if (dir) await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}, 30_000);

describe("edgepool demo", () => {
  it("stops every worker process and removes its files on Ctrl-C", { timeout: 480_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), "edgepool-demo-test-"));
    const temporary = join(dir, "tmp");
    await mkdir(temporary);
    const out = join(dir, "demo.png");
    demo = spawn(process.execPath, ["bin/edgepool.js", "demo", "--out", out], { cwd: ROOT, env: { ...process.env, TMPDIR: temporary }, stdio: ["ignore", "ignore", "pipe"] });
    const exited = new Promise<number | null>((resolve) => demo!.once("exit", (code) => resolve(code)));
    const stderr: string[] = [];
    createInterface({ input: demo.stderr! }).on("line", (line) => stderr.push(line));
    await until(() => stderr.some((line) => line.startsWith("Submitted")) || demo!.exitCode !== null, "the demo to submit its tiles", 400_000);
    expect(demo.exitCode, stderr.join("\n")).toBeNull();
    children = edgepoolChildrenOf(demo.pid!, "work\0");
    // Four `edgepool work` processes (the joins have exited; the relay runs inside the demo).
    expect(children).toHaveLength(4);
    expect(children.every(alive)).toBe(true);
    const demoDirs = (): string[] => readdirSync(temporary).filter((name) => name.startsWith("edgepool-demo-"));
    expect(demoDirs()).toHaveLength(1);

    demo.kill("SIGINT");
    expect(await exited, stderr.join("\n")).toBe(130);
    expect(children.filter(alive)).toEqual([]);
    expect(demoDirs()).toEqual([]);
    expect(existsSync(out)).toBe(false);
    expect(stderr).toContain("Stopping the demo's processes…");
  });
});
