import { describe, expect, it } from "vitest";
import { compileTask, defaultLimits } from "../../../../src/core/runtime/index.ts";
import type { LoadedTask, RuntimeLimits } from "../../../../src/core/runtime/index.ts";
import { executeTask } from "../../../../src/core/runtime/task-executor.ts";
import { TaskMemories } from "../../../../src/core/runtime/task-memory.ts";
import { primeRangeInput } from "../../../../src/core/runtime/sample-inputs.ts";
import { assembleHostile } from "../../../fixtures/hostile-wasm/index.ts";
import type { HostileModule } from "../../../fixtures/hostile-wasm/index.ts";
import { sampleTaskBytes } from "../../../fixtures/hostile-wasm/sample-tasks.ts";

const limits: RuntimeLimits = { ...defaultLimits, maxMemoryBytes: 4 * 1024 * 1024, maxOutputBytes: 1024 };

async function load(bytes: Uint8Array): Promise<LoadedTask> {
  const loaded = await compileTask(bytes, limits);
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.task;
}

/** Runs tasks one after another on one thread's memories, as a worker does. */
function runner(task: LoadedTask, memories = new TaskMemories()) {
  return (input: Uint8Array = new Uint8Array(0)) => executeTask(task.module, input, { minPages: task.minPages, maxPages: task.maxPages, maxOutputBytes: limits.maxOutputBytes }, memories);
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
      const result = runner(await load(assembleHostile(name)))();
      expect(result).toMatchObject({ ok: false, reason });
      expect(!result.ok && result.message).toMatch(message);
    });
  }

  it("reports an abort with the task's own message and source position", async () => {
    expect(runner(await load(sampleTaskBytes("primes")))(new Uint8Array(3))).toEqual({
      ok: false,
      reason: "trap",
      message: "the task trapped: abort: input must be 16 bytes: lo and hi as little-endian u64 at assembly/primes.ts:18:18 (memory in use: 1 of 64 pages)",
    });
  });

  it("gives each task a fresh instance, so one task's globals and memory never reach the next", async () => {
    const stateful = runner(await load(assembleHostile("stateful")));
    for (let i = 0; i < 3; i++) expect(stateful()).toEqual({ ok: true, output: new Uint8Array([1, 0, 0, 0]) });
    const primes = runner(await load(sampleTaskBytes("primes")));
    expect(primes(primeRangeInput(0n, 1000n))).toEqual(primes(primeRangeInput(0n, 1000n)));
  });

  it("gives each task a memory of its initial size and all zeros, after tasks that dirtied it, grew it or trapped", async () => {
    const probe = runner(await load(assembleHostile("memory-probe")));
    const fresh = { ok: true, output: new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]) };
    const [stop, grow, trap] = [new Uint8Array(0), new Uint8Array(1), new Uint8Array(2)];
    expect(probe(stop)).toEqual(fresh);
    expect(probe(stop)).toEqual(fresh);
    expect(probe(trap)).toMatchObject({ ok: false, reason: "trap" });
    expect(probe(grow)).toEqual(fresh);
    expect(probe(stop)).toEqual(fresh);
  });
});

describe("TaskMemories", () => {
  const small = { minPages: 1, maxPages: 4 };

  it("hands the next task the memory given back by the previous one, zeroed", () => {
    const memories = new TaskMemories();
    const first = memories.take(small);
    new Uint8Array(first.buffer).fill(7);
    memories.giveBack(first, small);
    const second = memories.take(small);
    expect(second).toBe(first);
    expect(new Uint8Array(second.buffer).every((b) => b === 0)).toBe(true);
  });

  it("makes a new memory after one grew, for other limits, above 1 MiB, or when none was given back", () => {
    const memories = new TaskMemories();
    const grown = memories.take(small);
    grown.grow(1);
    memories.giveBack(grown, small);
    const next = memories.take(small);
    expect(next).not.toBe(grown);
    expect(next.buffer.byteLength).toBe(65_536);
    memories.giveBack(next, small);
    expect(memories.take({ minPages: 1, maxPages: 5 })).not.toBe(next);
    expect(memories.take(small)).not.toBe(next);
    const large = { minPages: 17, maxPages: 17 };
    const big = memories.take(large);
    memories.giveBack(big, large);
    expect(memories.take(large)).not.toBe(big);
  });
});
