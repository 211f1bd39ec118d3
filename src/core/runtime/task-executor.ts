/**
 * Runs one task inside a worker (or, for the benchmark's baseline, on the calling thread): a fresh
 * instance per task, so no state leaks from one task to the next, then input in, output out.
 * Everything that can go wrong inside the module becomes a failure of this task only.
 */
import { PAGE_BYTES } from "./task-abi.ts";
import type { ModuleHash, TaskFailure } from "./task-abi.ts";
import { decodeToWorker } from "./worker-protocol.ts";
import type { FromWorker } from "./worker-protocol.ts";

export interface ExecuteLimits {
  readonly maxPages: number;
  readonly maxOutputBytes: number;
}

type Failure = { ok: false; reason: TaskFailure; message: string };

export type Execution = { ok: true; output: Uint8Array } | Failure;

/** Thrown by the `env.abort` import to unwind the module; caught in `executeTask`. */
class TaskAbort extends Error {}

const MAX_ABORT_TEXT = 200;

/** Reads an AssemblyScript string (UTF-16LE, byte length in the u32 before it), bounds-checked. */
function readAbortText(memory: WebAssembly.Memory | undefined, ptr: number): string {
  if (!memory || ptr < 4 || ptr > memory.buffer.byteLength) return "";
  const view = new DataView(memory.buffer);
  const byteLength = Math.min(view.getUint32(ptr - 4, true), memory.buffer.byteLength - ptr, MAX_ABORT_TEXT * 2);
  let text = "";
  for (let i = 0; i + 1 < byteLength; i += 2) text += String.fromCharCode(view.getUint16(ptr + i, true));
  return text;
}

function abortImport(memoryOf: () => WebAssembly.Memory | undefined) {
  return (message: number, file: number, line: number, column: number): never => {
    const memory = memoryOf();
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

function trapFailure(error: unknown, memory: WebAssembly.Memory | undefined, limits: ExecuteLimits): Failure {
  const message = describeTrap(error);
  const pages = memory ? memory.buffer.byteLength / PAGE_BYTES : 0;
  // The engine refuses to grow past the maximum, so a module that needs more traps at the cap.
  if (pages >= limits.maxPages) {
    return { ok: false, reason: "memory", message: `the task used all ${limits.maxPages} pages of memory it may have, then failed: ${message}` };
  }
  return { ok: false, reason: "trap", message: `the task trapped: ${message} (memory in use: ${pages} of ${limits.maxPages} pages)` };
}

interface TaskExports {
  readonly memory: WebAssembly.Memory;
  alloc(len: number): number;
  run(ptr: number, len: number): bigint;
}

/** An instance made for exactly one task and not yet used (a task never sees another's state). */
export interface FreshInstance {
  readonly exports: TaskExports;
}

export type Instantiation = { ok: true; instance: FreshInstance } | Failure;

/** Instantiates a module for one task; a trap in its start function is that task's failure. */
export function instantiateTask(module: WebAssembly.Module, limits: ExecuteLimits): Instantiation {
  let memory: WebAssembly.Memory | undefined;
  try {
    const instance = new WebAssembly.Instance(module, { env: { abort: abortImport(() => memory) } });
    const exports = instance.exports as unknown as TaskExports;
    memory = exports.memory;
    return { ok: true, instance: { exports } };
  } catch (error) {
    return trapFailure(error, memory, limits);
  }
}

/** Input in, `run`, output out, on a fresh instance that is used up by this call. */
export function runInstance(instance: FreshInstance, input: Uint8Array, limits: ExecuteLimits): Execution {
  const { exports } = instance;
  const memory = exports.memory;
  try {
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
  }
}

export function executeTask(module: WebAssembly.Module, input: Uint8Array, limits: ExecuteLimits): Execution {
  const made = instantiateTask(module, limits);
  return made.ok ? runInstance(made.instance, input, limits) : made;
}

/** A worker's side of the channel; the `-node` and `-browser` entries adapt their globals to it. */
export interface WorkerEndpoint {
  post(message: FromWorker, transfer: ArrayBuffer[]): void;
  onMessage(handler: (data: unknown) => void): void;
}

/**
 * Instances are made ahead only for modules that instantiate within this many ms: the pool may
 * send the next task while the worker is still making one, and that task's wall time is running.
 */
const SPARE_MAX_MS = 5;

interface Spare {
  readonly hash: ModuleHash;
  readonly instance: FreshInstance;
  /** How long making it took: instantiation is deterministic, so the next one takes about as long. */
  readonly ms: number;
}

function makeSpare(hash: ModuleHash, module: WebAssembly.Module, limits: ExecuteLimits): Spare | undefined {
  const started = performance.now();
  const made = instantiateTask(module, limits);
  return made.ok ? { hash, instance: made.instance, ms: performance.now() - started } : undefined;
}

/**
 * Serves run and forget requests. Instantiation is most of a small task's time, so after answering
 * a task the worker makes a fresh instance of the same module while it would otherwise wait, and
 * the next task of that module starts on it; each instance still serves one task. Making it unasked
 * is safe: a task module imports nothing but env.abort, so instantiating it (memory, data, start
 * function) has no input and repeats what the last task's instantiation did, which finished within
 * that task's time and memory limits; and only quick ones are made ahead (SPARE_MAX_MS).
 */
export function serveTaskWorker(endpoint: WorkerEndpoint): void {
  const modules = new Map<ModuleHash, WebAssembly.Module>();
  let spare: Spare | undefined;
  endpoint.onMessage((data) => {
    const message = decodeToWorker(data);
    if (!message) throw new TypeError("task worker: received a message that is not a run or forget request");
    if (message.type === "forget") {
      modules.delete(message.hash);
      if (spare?.hash === message.hash) spare = undefined;
      return;
    }
    const module = message.module ?? modules.get(message.hash);
    if (!module) throw new Error(`task worker: module ${message.hash} was neither sent nor cached`);
    modules.set(message.hash, module);
    const started = performance.now();
    const ready = spare?.hash === message.hash ? spare : undefined;
    spare = undefined;
    const fresh: Instantiation = ready ? { ok: true, instance: ready.instance } : instantiateTask(module, message);
    const instantiateMs = ready ? ready.ms : performance.now() - started;
    const result = fresh.ok ? runInstance(fresh.instance, message.input, message) : fresh;
    const runMs = performance.now() - started;
    if (result.ok) endpoint.post({ type: "done", id: message.id, output: result.output, runMs }, [result.output.buffer as ArrayBuffer]);
    else endpoint.post({ type: "failed", id: message.id, reason: result.reason, message: result.message }, []);
    if (fresh.ok && instantiateMs <= SPARE_MAX_MS) spare = makeSpare(message.hash, module, message);
  });
  endpoint.post({ type: "ready" }, []);
}
