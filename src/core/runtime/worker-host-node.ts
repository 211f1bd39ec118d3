/** Node's WorkerHost: one `worker_threads` Worker per pool slot. */
import { Worker } from "node:worker_threads";
import type { WorkerHost } from "./worker-host.ts";

const entry = new URL("./task-worker-node.mjs", import.meta.url);

export function createNodeWorkerHost(): WorkerHost {
  return {
    name: "worker_threads",
    spawn(events) {
      const worker = new Worker(entry);
      let stopped = false;
      const stop = (why: string): void => {
        if (stopped) return;
        stopped = true;
        events.exit(why);
      };
      worker.on("message", (data) => events.message(data));
      worker.on("error", (error) => stop(`the worker failed: ${error.message}`));
      worker.on("messageerror", () => stop("the worker sent a message that could not be read"));
      worker.on("exit", (code) => stop(`the worker thread exited with code ${code}`));
      return {
        post: (message) => worker.postMessage(message),
        terminate() {
          stopped = true;
          void worker.terminate();
        },
      };
    },
  };
}
