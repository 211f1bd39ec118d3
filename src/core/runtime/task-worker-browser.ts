/** The task worker's entry in a browser dedicated Web Worker (a module worker). */
import { serveTaskWorker } from "./task-executor.ts";

// The app type-checks against the DOM library, which lacks the worker scope's types.
const scope = globalThis as unknown as {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
};
serveTaskWorker({
  post: (message, transfer) => scope.postMessage(message, transfer),
  onMessage: (handler) => scope.addEventListener("message", (event) => handler(event.data)),
});
