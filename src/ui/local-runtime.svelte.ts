/**
 * The tasks this page runs for itself ("Try it"): one worker pool of Web Workers, started on first
 * use, and a live count of the tasks in flight, which the update prompt reads so that it never
 * reloads the page under a running task (UX.md 12).
 */
import { TaskPool, type LoadResult, type TaskResult } from "../core/runtime/index.ts";
import { createBrowserWorkerHost } from "../core/runtime/worker-host-browser.ts";

let pool: TaskPool | undefined;
let running = $state(0);

/** Workers for local runs: the cores minus one for the page itself (UX.md 6), at least one. */
export const localWorkerCount = (): number => Math.max(1, (navigator.hardwareConcurrency || 2) - 1);

function localPool(): TaskPool {
  pool ??= new TaskPool({ host: createBrowserWorkerHost(), workers: localWorkerCount() });
  return pool;
}

export const localRuntime = {
  get running(): number {
    return running;
  },
  load(bytes: Uint8Array): Promise<LoadResult> {
    return localPool().load(bytes);
  },
  async run(task: Extract<LoadResult, { ok: true }>["task"], input: Uint8Array): Promise<TaskResult> {
    running++;
    try {
      return await localPool().run(task, input);
    } finally {
      running--;
    }
  },
};
