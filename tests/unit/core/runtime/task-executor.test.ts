import { describe, expect, it } from "vitest";
import { compileTask, defaultLimits } from "../../../../src/core/runtime/index.ts";
import type { RuntimeLimits } from "../../../../src/core/runtime/index.ts";
import { executeTask } from "../../../../src/core/runtime/task-executor.ts";
import { primeRangeInput } from "../../../../src/core/runtime/sample-inputs.ts";
import { assembleHostile } from "../../../fixtures/hostile-wasm/index.ts";
import type { HostileModule } from "../../../fixtures/hostile-wasm/index.ts";
import { sampleTaskBytes } from "../../../fixtures/hostile-wasm/sample-tasks.ts";

const limits: RuntimeLimits = { ...defaultLimits, maxMemoryBytes: 4 * 1024 * 1024, maxOutputBytes: 1024 };

async function execute(bytes: Uint8Array, input = new Uint8Array(0)) {
  const loaded = await compileTask(bytes, limits);
  if (!loaded.ok) throw new Error(loaded.message);
  return executeTask(loaded.task.module, input, { maxPages: loaded.task.maxPages, maxOutputBytes: limits.maxOutputBytes });
}

describe("executeTask", () => {
  const failures: [HostileModule, string, RegExp][] = [
    ["grow-bomb", "memory", /used all 64 pages/],
    ["unbounded-recursion", "trap", /stack overflow/],
    ["huge-output", "output-too-large", /4294967295 bytes, above the limit of 1024/],
    ["output-out-of-bounds", "abi-violation", /outside the 65536-byte memory/],
    ["out-of-bounds-load", "trap", /memory access out of bounds/],
    ["unreachable", "trap", /unreachable/],
  ];
  for (const [name, reason, message] of failures) {
    it(`reports ${name} as ${reason}`, async () => {
      const result = await execute(assembleHostile(name));
      expect(result).toMatchObject({ ok: false, reason });
      expect(!result.ok && result.message).toMatch(message);
    });
  }

  it("reports an abort with the task's own message and source position", async () => {
    const result = await execute(sampleTaskBytes("primes"), new Uint8Array(3));
    expect(result).toEqual({
      ok: false,
      reason: "trap",
      message: "the task trapped: abort: input must be 16 bytes: lo and hi as little-endian u64 at assembly/primes.ts:18:18 (memory in use: 1 of 64 pages)",
    });
  });

  it("gives each task a fresh instance, so one task's state never reaches the next", async () => {
    const loaded = await compileTask(sampleTaskBytes("primes"), limits);
    if (!loaded.ok) throw new Error(loaded.message);
    const run = () => executeTask(loaded.task.module, primeRangeInput(0n, 1000n), { maxPages: 64, maxOutputBytes: 8 });
    expect(run()).toEqual(run());
  });
});
