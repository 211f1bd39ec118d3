import { afterEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { parseAutomergeUrl, type DocHandle } from "@automerge/automerge-repo";
import { blobHash, blobUrl, type BlobHash } from "../../../src/core/jobs/blobs.ts";
import { decodeSealedRef } from "../../../src/core/jobs/sealed-ref.ts";
import type { EntryId } from "../../../src/core/ledger/types.ts";
import { createNode, type EdgeNode } from "../../../src/core/node.ts";
import { createNodeWorkerHost } from "../../../src/core/runtime/worker-host-node.ts";
import { mandelbrotInput } from "../../../src/core/runtime/sample-inputs.ts";
import type { TimerClock } from "../../../src/core/scheduler/index.ts";
import { until } from "../../fixtures/until.ts";
import { taskBytes, TestDevice } from "../jobs/job-network.ts";
import { privatePool, T0, type PrivatePool } from "./private-pool.ts";

let pool: PrivatePool | undefined;
const nodes: EdgeNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  await pool?.close();
  pool = undefined;
});

/** Ledger time that moves with real time from T0 + 60 s (leases and deadlines need it to). */
function movingClock(): TimerClock {
  const start = Date.now();
  return {
    now: () => T0 + 60_000 + (Date.now() - start),
    setTimeout(callback, delayMs) {
      const handle = setTimeout(callback, delayMs);
      return { cancel: () => clearTimeout(handle) };
    },
  };
}

/** Whether `haystack` holds `needle`'s bytes anywhere. */
const holds = (haystack: Uint8Array, needle: Uint8Array): boolean => Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0;

describe("blobs of a private pool", () => {
  it("a job's module, large input and large output travel sealed: the relay holds only ciphertext, members get the bytes", async () => {
    const clock = movingClock();
    pool = await privatePool(clock.now);
    const { alice, carol, relay } = pool;
    await until(() => carol.node.ledger.state.privacy !== undefined, "carol reads the sealed genesis");
    const submitter = await createNode({ identity: alice.who, ledger: alice.node.ledger, privacy: alice.node, clock, tasks: [] });
    // carol ships no task modules: hers must arrive sealed too.
    const worker = await createNode({
      identity: carol.who,
      ledger: carol.node.ledger,
      privacy: carol.node,
      proof: () => carol.proof,
      clock,
      tasks: [],
      contribute: {
        workerHost: createNodeWorkerHost(),
        signals: new TestDevice(),
        host: "cli",
        settings: { contribute: true, onlyWhenCharging: false, minimumBatteryPercent: 30, onlyWhenIdle: false, maxCores: 1 },
      },
    });
    nodes.push(submitter, worker);
    const input = new Uint8Array(randomBytes(40_000));
    const deadline = clock.now() + 3_600_000;
    const hashing = await submitter.jobs.submit({ module: taskBytes("sha256"), input, replicas: 1, reward: 1, deadline });
    const drawing = await submitter.jobs.submit({ module: taskBytes("mandelbrot"), input: mandelbrotInput({ xMin: -2, yMin: -1, xMax: 1, yMax: 1, width: 64, height: 64, maxIterations: 30 }), replicas: 1, reward: 1, deadline });
    if (!hashing.ok || !drawing.ok) throw new Error("submit refused");
    await alice.node.flush();
    for (const job of [hashing.job, drawing.job]) expect((await submitter.jobs.settled(job)).status).toBe("done");

    const digest = await submitter.jobs.result(hashing.job, 30_000);
    expect(digest.ok && Buffer.from(digest.bytes).toString("hex")).toBe(blobHash(input));
    const image = await submitter.jobs.result(drawing.job, 30_000);
    expect(image.ok && image.bytes.length).toBe(64 * 64 * 4);
    if (!image.ok) return;

    // The entries name the plaintext and say where its ciphertext is; the relay holds that alone.
    const submitBody = alice.node.ledger.entry(hashing.job)!.entry.body as { task: string; blob: string; sealed: { task: Uint8Array; blob: Uint8Array } };
    const sealedInput = decodeSealedRef(submitBody.sealed.blob)!;
    const reveal = revealOf(pool, drawing.job);
    const sealedOutput = decodeSealedRef(reveal.sealed)!;
    expect(reveal.data).toBeUndefined();
    await relay.repo.flush();
    const relayBytes = (hash: string) => (relay.repo.handles[parseAutomergeUrl(blobUrl(hash as BlobHash)).documentId] as DocHandle<{ bytes?: Uint8Array }> | undefined)?.doc()?.bytes;
    for (const [plain, sealed] of [
      [blobHash(input), sealedInput],
      [blobHash(image.bytes), sealedOutput],
      [submitBody.task, decodeSealedRef(submitBody.sealed.task)!],
    ] as const) {
      expect(relayBytes(plain)).toBeUndefined();
      expect(blobHash(relayBytes(sealed.at)!)).toBe(sealed.at);
    }
    for (const handle of Object.values(relay.repo.handles) as DocHandle<{ bytes?: unknown }>[]) {
      const bytes = handle.isReady() ? handle.doc().bytes : undefined;
      if (!(bytes instanceof Uint8Array)) continue;
      expect(holds(bytes, input.subarray(1000, 1064))).toBe(false);
      expect(holds(bytes, image.bytes.subarray(4096, 4160))).toBe(false);
      expect(holds(bytes, taskBytes("mandelbrot").subarray(0, 256))).toBe(false);
    }
  }, 120_000);
});

function revealOf(pool: PrivatePool, job: EntryId): { data?: Uint8Array; sealed: Uint8Array } {
  const found = pool.alice.node.ledger.entries().find((e) => e.entry.kind === "result.reveal" && e.entry.body.job === job);
  return found!.entry.body as { data?: Uint8Array; sealed: Uint8Array };
}
