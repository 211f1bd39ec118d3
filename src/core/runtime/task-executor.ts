/**
 * Runs one task inside a worker (or, for the benchmark's baseline, on the calling thread): a fresh
 * instance per task, so no state leaks from one task to the next, then input in, output out.
 * Everything that can go wrong inside the module becomes a failure of this task only.
 */
import { PAGE_BYTES } from "./task-abi.ts";
import type { ModuleHash, TaskFailure } from "./task-abi.ts";
import { MEMORY_IMPORT, TaskMemories } from "./task-memory.ts";
import type { PageLimits } from "./task-memory.ts";
import { decodeToWorker } from "./worker-protocol.ts";
import type { FromWorker } from "./worker-protocol.ts";

export interface ExecuteLimits extends PageLimits {
  readonly maxOutputBytes: number;
}

type Failure = { ok: false; reason: TaskFailure; message: string };

export type Execution = { ok: true; output: Uint8Array } | Failure;

/** Thrown by the `env.abort` import to unwind the module; caught in `executeTask`. */
class TaskAbort extends Error {}

const MAX_ABORT_TEXT = 200;

/** Reads an AssemblyScript string (UTF-16LE, byte length in the u32 before it), bounds-checked. */
function readAbortText(memory: WebAssembly.Memory, ptr: number): string {
  if (ptr < 4 || ptr > memory.buffer.byteLength) return "";
  const view = new DataView(memory.buffer);
  const byteLength = Math.min(view.getUint32(ptr - 4, true), memory.buffer.byteLength - ptr, MAX_ABORT_TEXT * 2);
  let text = "";
  for (let i = 0; i + 1 < byteLength; i += 2) text += String.fromCharCode(view.getUint16(ptr + i, true));
  return text;
}

function abortImport(memory: WebAssembly.Memory) {
  return (message: number, file: number, line: number, column: number): never => {
    const where = readAbortText(memory, file >>> 0);
    throw new TaskAbort(`abort: ${readAbortText(memory, message >>> 0) || "(no message)"}${where ? ` at ${where}:${line}:${column}` : ""}`);
  };
}

function describeTrap(error: unknown): string {
  if (error instanceof TaskAbort) return error.message;
  if (error instanceof RangeError && /call stack/i.test(error.message)) return "stack overflow (unbounded recursion?)";
  if (error instanceof Error) return error.message;
  return String(error);
}

function trapFailure(error: unknown, memory: WebAssembly.Memory, limits: ExecuteLimits): Failure {
  const message = describeTrap(error);
  const pages = memory.buffer.byteLength / PAGE_BYTES;
  // The engine refuses to grow past the maximum, so a module that needs more traps at the cap.
  if (pages >= limits.maxPages) {
    return { ok: false, reason: "memory", message: `the task used all ${limits.maxPages} pages of memory it may have, then failed: ${message}` };
  }
  return { ok: false, reason: "trap", message: `the task trapped: ${message} (memory in use: ${pages} of ${limits.maxPages} pages)` };
}

interface TaskExports {
  alloc(len: number): number;
  run(ptr: number, len: number): bigint;
}

/**
 * A fresh instance (its memory in a fresh memory's state, from `memories`), input in, `run`, output
 * out; the instance is dropped afterwards, so no task sees another's globals or memory. Tasks that
 * share `memories` must run one after another (one thread's tasks do).
 */
export function executeTask(module: WebAssembly.Module, input: Uint8Array, limits: ExecuteLimits, memories: TaskMemories): Execution {
  let memory: WebAssembly.Memory;
  try {
    memory = memories.take(limits);
  } catch (error) {
    // The engine could not reserve it (address space or memory exhausted): this task fails, not the worker.
    return { ok: false, reason: "memory", message: `the task's memory (${limits.minPages} to ${limits.maxPages} pages) could not be allocated: ${describeTrap(error)}` };
  }
  try {
    const instance = new WebAssembly.Instance(module, { env: { abort: abortImport(memory) }, [MEMORY_IMPORT.module]: { [MEMORY_IMPORT.name]: memory } });
    const exports = instance.exports as unknown as TaskExports;
    const inPtr = exports.alloc(input.length) >>> 0;
    if (inPtr + input.length > memory.buffer.byteLength) {
      return { ok: false, reason: "abi-violation", message: `alloc(${input.length}) returned ${inPtr}, which does not fit in memory` };
    }
    new Uint8Array(memory.buffer, inPtr, input.length).set(input);
    const packed = BigInt.asUintN(64, exports.run(inPtr, input.length));
    const outPtr = Number(packed >> 32n);
    const outLen = Number(packed & 0xffffffffn);
    if (outLen > limits.maxOutputBytes) {
      return { ok: false, reason: "output-too-large", message: `the output is ${outLen} bytes, above the limit of ${limits.maxOutputBytes}` };
    }
    if (outPtr + outLen > memory.buffer.byteLength) {
      return { ok: false, reason: "abi-violation", message: `run returned output at ${outPtr} of length ${outLen}, outside the ${memory.buffer.byteLength}-byte memory` };
    }
    return { ok: true, output: new Uint8Array(memory.buffer.slice(outPtr, outPtr + outLen)) };
  } catch (error) {
    return trapFailure(error, memory, limits);
  } finally {
    memories.giveBack(memory, limits);
  }
}

/** A worker's side of the channel; the `-node` and `-browser` entries adapt their globals to it. */
export interface WorkerEndpoint {
  post(message: FromWorker, transfer: ArrayBuffer[]): void;
  onMessage(handler: (data: unknown) => void): void;
}

/** Serves run and forget requests, one task at a time. */
export function serveTaskWorker(endpoint: WorkerEndpoint): void {
  const modules = new Map<ModuleHash, WebAssembly.Module>();
  const memories = new TaskMemories();
  endpoint.onMessage((data) => {
    const message = decodeToWorker(data);
    if (!message) throw new TypeError("task worker: received a message that is not a run or forget request");
    if (message.type === "forget") {
      modules.delete(message.hash);
      return;
    }
    const module = message.module ?? modules.get(message.hash);
    if (!module) throw new Error(`task worker: module ${message.hash} was neither sent nor cached`);
    modules.set(message.hash, module);
    const started = performance.now();
    const result = executeTask(module, message.input, message, memories);
    const runMs = performance.now() - started;
    if (result.ok) endpoint.post({ type: "done", id: message.id, output: result.output, runMs }, [result.output.buffer as ArrayBuffer]);
    else endpoint.post({ type: "failed", id: message.id, reason: result.reason, message: result.message }, []);
  });
  endpoint.post({ type: "ready" }, []);
}
