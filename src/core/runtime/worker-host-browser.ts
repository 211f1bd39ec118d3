/** The browser's WorkerHost: one dedicated module Web Worker per pool slot. */
import type { WorkerHost } from "./worker-host.ts";

export function createBrowserWorkerHost(): WorkerHost {
  return {
    name: "web-worker",
    spawn(events) {
      // Written inline so bundlers (Vite) see the worker entry and emit it as its own chunk.
      const worker = new Worker(new URL("./task-worker-browser.ts", import.meta.url), { type: "module" });
      let stopped = false;
      const stop = (why: string): void => {
        if (stopped) return;
        stopped = true;
        worker.terminate();
        events.exit(why);
      };
      worker.addEventListener("message", (event) => events.message(event.data));
      worker.addEventListener("error", (event) => stop(`the worker failed: ${event.message || "script error"}`));
      worker.addEventListener("messageerror", () => stop("the worker sent a message that could not be read"));
      return {
        post: (message) => worker.postMessage(message),
        terminate() {
          stopped = true;
          worker.terminate();
        },
      };
    },
  };
}
