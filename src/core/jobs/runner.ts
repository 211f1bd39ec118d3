/**
 * What a job worker needs from the runtime: load a module, run it on an input. The runtime's
 * TaskPool is one; `dishonestRunner` is the adversary the tests and the demo run against the pool.
 */
import type { LoadResult, LoadedTask, TaskResult } from "../runtime/index.ts";

export interface TaskRunner {
  load(bytes: Uint8Array): Promise<LoadResult>;
  run(task: LoadedTask, input: Uint8Array): Promise<TaskResult>;
}

/**
 * A worker that lies: it runs the task, then flips the first byte of the output (the answer still
 * looks plausible). Used to show that majority verification rejects it (issue 6's liar, issue 7's demo).
 */
export function dishonestRunner(runner: TaskRunner): TaskRunner {
  return {
    load: (bytes) => runner.load(bytes),
    async run(task, input) {
      const result = await runner.run(task, input);
      if (!result.ok) return result;
      const output = result.output.length === 0 ? new Uint8Array([1]) : result.output.slice();
      output[0] = output[0]! ^ 0xff;
      return { ...result, output };
    },
  };
}
