import { describe, expect, it } from "vitest";
import { createNodeWorkerHost } from "../../../src/core/runtime/worker-host-node.ts";
import type { ToWorker } from "../../../src/core/runtime/worker-protocol.ts";
import { until } from "../../fixtures/until.ts";

function spawnRecorded() {
  const messages: unknown[] = [];
  const exits: string[] = [];
  const worker = createNodeWorkerHost().spawn({ message: (m) => messages.push(m), exit: (why) => exits.push(why) });
  return { worker, messages, exits };
}


describe("the worker_threads host", () => {
  it("starts the TypeScript task worker in a thread, which says it is ready", async () => {
    const { worker, messages, exits } = spawnRecorded();
    await until(() => messages.length > 0, "the worker's first message");
    expect(messages).toEqual([{ type: "ready" }]);
    worker.terminate();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(exits).toEqual([]);
  });

  it("reports a worker that fails on a message outside the protocol, once", async () => {
    const { worker, messages, exits } = spawnRecorded();
    await until(() => messages.length > 0, "the worker's first message");
    worker.post({ type: "run", id: -1 } as unknown as ToWorker);
    await until(() => exits.length > 0, "the worker to exit");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(exits).toEqual(["the worker failed: task worker: received a message that is not a run or forget request"]);
  });
});
