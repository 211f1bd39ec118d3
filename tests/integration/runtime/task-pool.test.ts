import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskPool } from "../../../src/core/runtime/index.ts";
import type { LoadedTask, TaskResult, WorkerHost } from "../../../src/core/runtime/index.ts";
import { createNodeWorkerHost } from "../../../src/core/runtime/worker-host-node.ts";
import { decodePrimeCount, primeRangeInput } from "../../../src/core/runtime/sample-inputs.ts";
import { sampleTaskBytes } from "../../fixtures/hostile-wasm/sample-tasks.ts";
import { Worker } from "node:worker_threads";
import { until } from "../../fixtures/until.ts";
import { poolContract } from "./pool-contract.ts";

async function loaded(pool: TaskPool, bytes: Uint8Array): Promise<LoadedTask> {
  const result = await pool.load(bytes);
  if (!result.ok) throw new Error(result.message);
  return result.task;
}

const primesIn = (result: TaskResult): bigint => {
  if (!result.ok) throw new Error(`${result.reason}: ${result.message}`);
  return decodePrimeCount(result.output);
};

/** Enough sieving to keep a worker busy for a good fraction of a second on this machine. */
const slowRange = primeRangeInput(0n, 10_000_000n);
const SLOW_RANGE_PRIMES = 664_579n;

let shared: TaskPool;
beforeAll(() => {
  shared = new TaskPool({ host: createNodeWorkerHost(), workers: 2, limits: { maxMemoryBytes: 16 * 1024 * 1024, maxOutputBytes: 4096 } });
});
afterAll(() => shared.close());

poolContract("worker_threads", () => ({
  async run(module, input, timeoutMs) {
    const loaded = await shared.load(module);
    if (!loaded.ok) return loaded;
    const result = await shared.run(loaded.task, input, { timeoutMs });
    return result.ok ? { ok: true, output: [...result.output] } : result;
  },
}));

describe("TaskPool on worker_threads", () => {
  it("runs tasks on several workers at once and reports their wall time and time in the worker", async () => {
    const primes = await loaded(shared, sampleTaskBytes("primes"));
    const results = await Promise.all([0n, 1n, 2n, 3n].map((k) => shared.run(primes, primeRangeInput(k * 1000n, (k + 1n) * 1000n))));
    expect(results.map(primesIn)).toEqual([168n, 135n, 127n, 120n]);
    expect(results.every((r) => r.ok && r.runMs > 0 && r.runMs <= r.durationMs)).toBe(true);
  });
});

describe("TaskPool resizing", () => {
  let pool: TaskPool;
  let primes: LoadedTask;

  beforeAll(async () => {
    pool = new TaskPool({ host: createNodeWorkerHost(), workers: 1 });
    primes = await loaded(pool, sampleTaskBytes("primes"));
  });
  afterAll(() => pool.close());

  it("grows while tasks wait, and every queued task completes", async () => {
    const pending = Array.from({ length: 4 }, () => pool.run(primes, primeRangeInput(0n, 100_000n)));
    pool.resize(2);
    expect((await Promise.all(pending)).map(primesIn)).toEqual([9592n, 9592n, 9592n, 9592n]);
    await until(() => pool.status().idle === 2, "two idle workers");
    expect(pool.status()).toMatchObject({ target: 2, starting: 0, busy: 0 });
  });

  it("shrinking stops idle workers before busy ones", async () => {
    await until(() => pool.status().idle === 2, "two idle workers");
    const running = pool.run(primes, slowRange);
    await until(() => pool.status().busy === 1, "one busy worker");
    pool.resize(1);
    expect(pool.status()).toMatchObject({ target: 1, busy: 1, idle: 0, retiring: 0 });
    expect(primesIn(await running)).toBe(SLOW_RANGE_PRIMES);
    pool.resize(2);
  });

  it("shrinking with 'finish' lets the running tasks complete, then retires their workers", async () => {
    await until(() => pool.status().idle === 2, "two idle workers");
    const running = [pool.run(primes, slowRange), pool.run(primes, slowRange)];
    await until(() => pool.status().busy === 2, "two busy workers");
    pool.resize(0, "finish");
    expect(pool.status()).toMatchObject({ target: 0, retiring: 2 });
    expect((await Promise.all(running)).map(primesIn)).toEqual([SLOW_RANGE_PRIMES, SLOW_RANGE_PRIMES]);
    expect(pool.status()).toMatchObject({ starting: 0, idle: 0, busy: 0 });
  });

  it("growing while workers retire keeps them instead of starting new ones", async () => {
    pool.resize(1);
    await until(() => pool.status().idle === 1, "one idle worker");
    const running = pool.run(primes, slowRange);
    await until(() => pool.status().busy === 1, "one busy worker");
    pool.resize(0, "finish");
    pool.resize(1);
    expect(pool.status()).toMatchObject({ target: 1, starting: 0, busy: 1, retiring: 0 });
    expect(primesIn(await running)).toBe(SLOW_RANGE_PRIMES);
    expect(pool.status()).toMatchObject({ idle: 1 });
  });

  it("shrinking with 'requeue' stops workers at once and runs their tasks again later, losing none", async () => {
    pool.resize(2);
    await until(() => pool.status().idle === 2, "two idle workers");
    const running = [pool.run(primes, slowRange), pool.run(primes, slowRange)];
    await until(() => pool.status().busy === 2, "two busy workers");
    pool.resize(0, "requeue");
    expect(pool.status()).toMatchObject({ target: 0, busy: 0, queued: 2 });
    pool.resize(1);
    expect((await Promise.all(running)).map(primesIn)).toEqual([SLOW_RANGE_PRIMES, SLOW_RANGE_PRIMES]);
  });

  it("ends queued and running tasks with 'closed' when closed", async () => {
    const running = pool.run(primes, slowRange);
    const queued = pool.run(primes, slowRange);
    await until(() => pool.status().busy === 1, "one busy worker");
    pool.close();
    expect(await running).toMatchObject({ ok: false, reason: "closed" });
    expect(await queued).toMatchObject({ ok: false, reason: "closed" });
    expect(await pool.run(primes, slowRange)).toMatchObject({ ok: false, reason: "closed" });
  });
});

describe("TaskPool when no worker can start", () => {
  it("fails waiting tasks with 'worker-unavailable' instead of respawning forever", async () => {
    let spawned = 0;
    const broken: WorkerHost = {
      name: "broken",
      spawn(events) {
        spawned++;
        const worker = new Worker("throw new Error('cannot load the task worker')", { eval: true });
        worker.on("error", (error) => events.exit(`the worker failed: ${error.message}`));
        return { post: (message) => worker.postMessage(message), terminate: () => void worker.terminate() };
      },
    };
    const pool = new TaskPool({ host: broken, workers: 3 });
    const task = await loaded(pool, sampleTaskBytes("primes"));
    const result = await pool.run(task, primeRangeInput(0n, 10n));
    expect(result).toEqual({ ok: false, reason: "worker-unavailable", message: "no task worker could be started: the worker failed: cannot load the task worker" });
    expect(spawned).toBeLessThanOrEqual(6);
    pool.close();
  });
});
