/**
 * Node's adapters for createNode: worker_threads, the Linux power supply and load average as
 * device signals, and the task modules built into public/tasks.
 */
import { readFile } from "node:fs/promises";
import { dishonestRunner } from "./jobs/runner.ts";
import type { ContributeOptions } from "./node.ts";
import { createNodeWorkerHost } from "./runtime/worker-host-node.ts";
import { DEFAULT_SETTINGS, type ContributionSettings } from "./scheduler/index.ts";
import { createNodeSignals } from "./scheduler/signals-node.ts";

export const TASKS_DIR = new URL("../../public/tasks/", import.meta.url);

export interface BundledTask {
  readonly name: string;
  readonly hash: string;
  readonly description: string;
  readonly bytes: Uint8Array;
}

/** The sample tasks listed in public/tasks/manifest.json (built by `npm run build:tasks`). */
export async function bundledTasks(dir: URL = TASKS_DIR): Promise<BundledTask[]> {
  const manifest = JSON.parse(await readFile(new URL("manifest.json", dir), "utf8")) as { tasks: Array<{ name: string; file: string; hash: string; description: string }> };
  return Promise.all(
    manifest.tasks.map(async (t) => ({ name: t.name, hash: t.hash, description: t.description, bytes: new Uint8Array(await readFile(new URL(t.file, dir))) })),
  );
}

export interface NodeContributionOptions {
  readonly settings?: Partial<ContributionSettings>;
  /** Lie about every output (the network demo's dishonest worker). */
  readonly dishonest?: boolean;
  /** Never read the CPU as busy (the network demo: the load is its own other workers). */
  readonly ignoreCpuLoad?: boolean;
}

/** Contribution on this machine: worker threads, the power supply and load average, the CLI's wording. */
export async function nodeContribution(options: NodeContributionOptions = {}): Promise<ContributeOptions> {
  let busy = 0;
  const signals = await createNodeSignals({ ownLoad: () => busy, ...(options.ignoreCpuLoad ? { loadAverage: () => 0 } : {}) });
  return {
    workerHost: createNodeWorkerHost(),
    signals,
    host: "cli",
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
    runner: (runtime) => {
      const runner = options.dishonest ? dishonestRunner(runtime) : runtime;
      return {
        load: (bytes) => runner.load(bytes),
        async run(task, input) {
          busy++;
          try {
            return await runner.run(task, input);
          } finally {
            busy--;
          }
        },
      };
    },
  };
}
