/**
 * The contract every WorkerHost must meet, run through a real TaskPool: the Node host in
 * task-pool.test.ts, the browser host in Chromium in task-pool-browser.test.ts. Each hostile
 * module fails with its own reason, and the pool still runs normal tasks afterwards.
 */
import { describe, expect, it } from "vitest";
import { primeRangeInput } from "../../../src/core/runtime/sample-inputs.ts";
import type { TaskFailure } from "../../../src/core/runtime/index.ts";
import { assembleHostile, malformedBinaries } from "../../fixtures/hostile-wasm/index.ts";
import type { HostileModule } from "../../fixtures/hostile-wasm/index.ts";
import { sampleTaskBytes } from "../../fixtures/hostile-wasm/sample-tasks.ts";

/** A result as plain data, so a browser page can return it. */
export type PlainResult = { ok: true; output: number[] } | { ok: false; reason: TaskFailure; message: string };

export interface PoolUnderTest {
  /** Loads `module` into the pool (refusals come back as failures) and runs it once on `input`. */
  run(module: Uint8Array, input: Uint8Array, timeoutMs?: number): Promise<PlainResult>;
}

const primes = sampleTaskBytes("primes");
const primeCount = (n: number): PlainResult => ({ ok: true, output: [n, 0, 0, 0, 0, 0, 0, 0] });

const failures: [HostileModule, TaskFailure][] = [
  ["grow-bomb", "memory"],
  ["unbounded-recursion", "trap"],
  ["huge-output", "output-too-large"],
  ["output-out-of-bounds", "abi-violation"],
  ["out-of-bounds-load", "trap"],
  ["unreachable", "trap"],
  ["host-imports", "bad-imports"],
  ["wrong-signature", "bad-exports"],
  ["missing-alloc", "bad-exports"],
  ["declared-max-too-big", "memory"],
];

export function poolContract(hostName: string, pool: () => PoolUnderTest): void {
  describe(`TaskPool contract on ${hostName}`, () => {
    const stillRunsNormalTasks = async () => expect(await pool().run(primes, primeRangeInput(0n, 1000n))).toEqual(primeCount(168));

    it("runs a task", async () => {
      expect(await pool().run(primes, primeRangeInput(0n, 100n))).toEqual(primeCount(25));
    });

    for (const [name, reason] of failures) {
      it(`reports ${name} as ${reason}, then still runs normal tasks`, async () => {
        expect(await pool().run(assembleHostile(name), new Uint8Array(8))).toMatchObject({ ok: false, reason });
        await stillRunsNormalTasks();
      });
    }

    it("gives every task a fresh instance, also when tasks of one module follow each other", async () => {
      const stateful = assembleHostile("stateful");
      for (let i = 0; i < 4; i++) expect(await pool().run(stateful, new Uint8Array(0))).toEqual({ ok: true, output: [1, 0, 0, 0] });
    });

    it("gives every task memory in a fresh memory's state, after tasks that dirtied it, trapped or grew it", async () => {
      const probe = assembleHostile("memory-probe");
      const fresh = { ok: true, output: [1, 0, 0, 0, 0, 0, 0, 0] };
      for (const mode of [0, 0, 2, 0, 1, 0]) {
        const result = await pool().run(probe, new Uint8Array(mode));
        expect(result).toEqual(mode === 2 ? expect.objectContaining({ ok: false, reason: "trap" }) : fresh);
      }
    });

    it("refuses malformed binaries, then still runs normal tasks", async () => {
      for (const bytes of Object.values(malformedBinaries)) expect(await pool().run(bytes, new Uint8Array(0))).toMatchObject({ ok: false, reason: "malformed" });
      await stillRunsNormalTasks();
    });

    it("stops an infinite loop at its time limit, replaces the worker and keeps serving", async () => {
      const started = Date.now();
      const result = await pool().run(assembleHostile("infinite-loop"), new Uint8Array(0), 300);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(result).toEqual({ ok: false, reason: "timeout", message: "the task ran longer than 300 ms and was stopped" });
      await Promise.all([stillRunsNormalTasks(), stillRunsNormalTasks()]);
    });
  });
}
