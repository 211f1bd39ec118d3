/**
 * The seam between the pool and a platform's threads: the pool only spawns, messages and
 * terminates workers through this interface. `worker-host-node.ts` implements it with
 * worker_threads, `worker-host-browser.ts` with Web Workers.
 */
import type { ToWorker } from "./worker-protocol.ts";

export interface TaskWorker {
  post(message: ToWorker): void;
  terminate(): void;
}

export interface WorkerEvents {
  message(data: unknown): void;
  /** The worker stopped without being told to (an error, or its thread exited). Called at most once. */
  exit(error: string): void;
}

export interface WorkerHost {
  readonly name: string;
  spawn(events: WorkerEvents): TaskWorker;
}
