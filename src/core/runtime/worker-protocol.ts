/**
 * Messages between the pool and its workers, as typed unions checked at the boundary before
 * anything else reads them (the same in Web Workers and worker_threads: both structured-clone
 * `WebAssembly.Module` and typed arrays).
 */
import type { ModuleHash, TaskFailure } from "./task-abi.ts";

export type ToWorker =
  | {
      type: "run";
      id: number;
      hash: ModuleHash;
      /** Sent the first time this worker runs the module; it caches it by hash afterwards. */
      module: WebAssembly.Module | undefined;
      minPages: number;
      maxPages: number;
      maxOutputBytes: number;
      input: Uint8Array;
    }
  | { type: "forget"; hash: ModuleHash };

export type FromWorker =
  | { type: "ready" }
  | { type: "done"; id: number; output: Uint8Array; runMs: number }
  | { type: "failed"; id: number; reason: TaskFailure; message: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isHash = (v: unknown): v is ModuleHash => typeof v === "string" && /^[0-9a-f]{64}$/.test(v);

const FAILURES: ReadonlySet<string> = new Set<TaskFailure>([
  "malformed", "too-large", "bad-imports", "bad-exports", "memory", "timeout",
  "output-too-large", "trap", "abi-violation", "worker-crashed", "worker-unavailable", "closed",
]);

export function decodeToWorker(data: unknown): ToWorker | undefined {
  if (!isRecord(data)) return undefined;
  if (data.type === "forget") return isHash(data.hash) ? { type: "forget", hash: data.hash } : undefined;
  if (data.type !== "run") return undefined;
  const { id, hash, module, minPages, maxPages, maxOutputBytes, input } = data;
  if (!isCount(id) || !isHash(hash) || !isCount(minPages) || !isCount(maxPages) || !isCount(maxOutputBytes) || !(input instanceof Uint8Array)) return undefined;
  if (module !== undefined && !(module instanceof WebAssembly.Module)) return undefined;
  return { type: "run", id, hash, module, minPages, maxPages, maxOutputBytes, input };
}

export function decodeFromWorker(data: unknown): FromWorker | undefined {
  if (!isRecord(data)) return undefined;
  if (data.type === "ready") return { type: "ready" };
  if (!isCount(data.id)) return undefined;
  if (data.type === "done" && data.output instanceof Uint8Array && typeof data.runMs === "number") {
    return { type: "done", id: data.id, output: data.output, runMs: data.runMs };
  }
  if (data.type === "failed" && typeof data.reason === "string" && FAILURES.has(data.reason) && typeof data.message === "string") {
    return { type: "failed", id: data.id, reason: data.reason as TaskFailure, message: data.message };
  }
  return undefined;
}
