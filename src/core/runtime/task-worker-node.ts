/** The task worker's entry in a Node `worker_threads` worker (loaded through task-worker-node.mjs). */
import { parentPort } from "node:worker_threads";
import { serveTaskWorker } from "./task-executor.ts";

const port = parentPort;
if (!port) throw new Error("task-worker-node.ts must run inside a worker thread");
serveTaskWorker({
  post: (message, transfer) => port.postMessage(message, transfer),
  onMessage: (handler) => port.on("message", handler),
});
