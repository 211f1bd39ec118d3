import { describe, expect, it } from "vitest";
import { compileTask, defaultLimits, moduleHash, PAGE_BYTES } from "../../../../src/core/runtime/index.ts";
import { TaskModuleCache } from "../../../../src/core/runtime/task-module.ts";
import { assembleHostile, malformedBinaries } from "../../../fixtures/hostile-wasm/index.ts";
import type { HostileModule } from "../../../fixtures/hostile-wasm/index.ts";
import { sampleTaskBytes } from "../../../fixtures/hostile-wasm/sample-tasks.ts";

describe("compileTask refuses a module before it runs", () => {
  const refusals: [HostileModule, string, RegExp][] = [
    ["host-imports", "bad-imports", /wasi_snapshot_preview1\.fd_write.*only the function env\.abort/],
    ["wrong-signature", "bad-exports", /"run" must have type \(i32, i32\) -> \(i64\), not \(i32, i32\) -> \(i32\)/],
    ["missing-alloc", "bad-exports", /must export func "alloc"/],
    ["declared-max-too-big", "memory", /maximum of 65536 pages, above the cap of 1024 pages/],
  ];
  for (const [name, reason, message] of refusals) {
    it(`refuses ${name} as ${reason}`, async () => {
      const result = await compileTask(assembleHostile(name), defaultLimits);
      expect(result).toMatchObject({ ok: false, reason });
      expect(!result.ok && result.message).toMatch(message);
    });
  }

  it("refuses an invalid module as malformed even when it also breaks an ABI rule (the engine validates first)", async () => {
    const bytes = assembleHostile("missing-alloc");
    bytes[bytes.length - 1] = 0xff; // the last function body's `end` becomes an unknown opcode
    expect(WebAssembly.validate(new Uint8Array(bytes))).toBe(false);
    expect(await compileTask(bytes, defaultLimits)).toMatchObject({ ok: false, reason: "malformed", message: /not a valid WebAssembly module/ });
  });

  for (const [label, bytes] of Object.entries(malformedBinaries)) {
    it(`refuses ${label} as malformed`, async () => {
      expect(await compileTask(bytes, defaultLimits)).toMatchObject({ ok: false, reason: "malformed" });
    });
  }

  it("refuses a module larger than maxModuleBytes", async () => {
    const bytes = sampleTaskBytes("sha256");
    const result = await compileTask(bytes, { ...defaultLimits, maxModuleBytes: bytes.length - 1 });
    expect(result).toMatchObject({ ok: false, reason: "too-large" });
  });

  it("refuses a module whose memory starts above the cap", async () => {
    const result = await compileTask(sampleTaskBytes("sha256"), { ...defaultLimits, maxMemoryBytes: PAGE_BYTES / 2 });
    expect(result).toMatchObject({ ok: false, reason: "memory" });
  });
});

describe("compileTask accepts a task", () => {
  it("names it by the SHA-256 of the submitted bytes and caps a memory that has no maximum", async () => {
    const bytes = sampleTaskBytes("primes");
    const result = await compileTask(bytes, { ...defaultLimits, maxMemoryBytes: 8 * 1024 * 1024 });
    expect(result.ok && result.task.hash).toBe(moduleHash(bytes));
    expect(result.ok && result.task.maxPages).toBe(128);
  });
});

describe("TaskModuleCache", () => {
  it("compiles a module once however often it is loaded, and evicts the least recently used", async () => {
    const evicted: string[] = [];
    const cache = new TaskModuleCache(defaultLimits, 2, (hash) => evicted.push(hash));
    const [sha, primes, words] = (["sha256", "primes", "wordcount"] as const).map(sampleTaskBytes);
    const first = cache.load(sha!);
    expect(await cache.load(sha!)).toBe(await first);
    await cache.load(primes!);
    await cache.load(sha!);
    await cache.load(words!);
    expect(evicted).toEqual([moduleHash(primes!)]);
  });

  it("does not keep refusals", async () => {
    const cache = new TaskModuleCache(defaultLimits, 2, () => undefined);
    const bytes = assembleHostile("host-imports");
    const first = await cache.load(bytes);
    expect(first).toMatchObject({ ok: false, reason: "bad-imports" });
    expect(await cache.load(bytes)).not.toBe(first);
  });
});
