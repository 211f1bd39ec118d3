import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../../src/cli/main.ts";
import type { CliIo } from "../../../src/cli/command.ts";
import { ExitCode } from "../../../src/cli/exit-codes.ts";
import { primeRangeInput } from "../../../src/core/runtime/sample-inputs.ts";
import { assembleHostile } from "../../fixtures/hostile-wasm/index.ts";

const dir = mkdtempSync(join(tmpdir(), "edgepool-run-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tasks = new URL("../../../public/tasks/", import.meta.url).pathname;

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function edgepool(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, stdinIsTty: false };
  return { code: await main(["run", ...argv], io), out, err };
}

describe("edgepool run", () => {
  it("prints a text output on stdout and the time it took on stderr", async () => {
    const result = await edgepool(tasks + "wordcount.wasm", "--input", file("text.txt", "to be or not to be"));
    expect(result).toMatchObject({ code: ExitCode.ok, out: ["be\t2\nnot\t1\nor\t1\nto\t2"] });
    expect(result.err.join()).toMatch(/^ran [0-9a-f]{12} in [\d.]+ ms, 21 bytes of output$/);
  });

  it("writes the exact output bytes to --out and reports as JSON", async () => {
    const out = join(dir, "count.bin");
    const result = await edgepool(tasks + "primes.wasm", "--input", file("range.bin", primeRangeInput(0n, 100n)), "--out", out, "--json");
    expect(result.code).toBe(ExitCode.ok);
    expect(JSON.parse(result.out[0]!)).toMatchObject({ schemaVersion: 1, ok: true, outputBytes: 8, output: { file: out } });
    expect([...readFileSync(out)]).toEqual([25, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("stops a task at --timeout and exits 3", async () => {
    const loop = file("loop.wasm", assembleHostile("infinite-loop"));
    const result = await edgepool(loop, "--input", file("empty", ""), "--timeout", "200ms");
    expect(result.code).toBe(ExitCode.timedOut);
    expect(result.err.join()).toMatch(/failed \(timeout\): the task ran longer than 200 ms/);
  });

  it("refuses a module that imports host functions and exits 1", async () => {
    const result = await edgepool(file("wasi.wasm", assembleHostile("host-imports")), "--input", file("empty", ""), "--json");
    expect(result.code).toBe(ExitCode.error);
    expect(JSON.parse(result.out[0]!)).toMatchObject({ schemaVersion: 1, ok: false, reason: "bad-imports" });
  });

  it("reports a trap with the task's message and exits 5", async () => {
    const result = await edgepool(tasks + "primes.wasm", "--input", file("short", "abc"), "--memory", "1MiB");
    expect(result.code).toBe(ExitCode.jobFailed);
    expect(result.err.join()).toMatch(/\(trap\).*input must be 16 bytes.*of 16 pages/);
  });

  it("explains a malformed --memory or a missing --input as usage errors", async () => {
    expect((await edgepool(tasks + "primes.wasm", "--input", "x", "--memory", "lots")).code).toBe(ExitCode.usage);
    expect((await edgepool(tasks + "primes.wasm")).code).toBe(ExitCode.usage);
  });
});
