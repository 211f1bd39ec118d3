/**
 * The EdgePool task ABI (shared/DESIGN.md "Runtime and task ABI"; wasm-tasks/README.md for task
 * authors) and the result types every runtime host reports. A module imports nothing but
 * `env.abort`, exports `memory`, `alloc(len) -> ptr` and `run(ptr, len) -> i64` whose high 32 bits
 * are the output pointer and low 32 bits its length.
 */
import type { Extern, FuncType, ModuleShape } from "./module-shape.ts";

/** Lower-case hex SHA-256 of a module's bytes exactly as submitted. */
export type ModuleHash = string & { readonly __brand: "ModuleHash" };

export const PAGE_BYTES = 65_536;

/** Why a module was refused before it ran. */
export type LoadFailure = "malformed" | "too-large" | "bad-imports" | "bad-exports" | "memory";

/**
 * Why one task failed. Each limit has its own kind so callers can tell a hostile or broken
 * module from an overloaded device: `timeout` (wall time), `memory` (trapped at the memory cap),
 * `output-too-large`, `trap` (unreachable, stack overflow, out of bounds, abort),
 * `abi-violation` (alloc or run returned a range outside memory), `worker-crashed` (the worker
 * died), `worker-unavailable` (no worker could be started), `closed` (the pool was closed).
 */
export type TaskFailure =
  | LoadFailure
  | "timeout"
  | "output-too-large"
  | "trap"
  | "abi-violation"
  | "worker-crashed"
  | "worker-unavailable"
  | "closed";

export type TaskResult =
  /** `durationMs`: wall time from dispatch to answer; `runMs`: time inside the worker (instantiate to output). */
  | { ok: true; output: Uint8Array; durationMs: number; runMs: number }
  | { ok: false; reason: TaskFailure; message: string };

export interface RuntimeLimits {
  /** Wall time per task, from dispatch to a worker until its answer. */
  readonly timeoutMs: number;
  /** The most memory a task's instance may have; rounded down to whole 64 KiB pages. */
  readonly maxMemoryBytes: number;
  readonly maxOutputBytes: number;
  readonly maxModuleBytes: number;
}

export const defaultLimits: RuntimeLimits = {
  timeoutMs: 5_000,
  maxMemoryBytes: 64 * 1024 * 1024,
  maxOutputBytes: 16 * 1024 * 1024,
  maxModuleBytes: 8 * 1024 * 1024,
};

type Check = { ok: true } | { ok: false; reason: LoadFailure; message: string };

const sig = (t: FuncType | undefined): string => (t ? `(${t.params.join(", ")}) -> (${t.results.join(", ")})` : "(unknown)");
const sameSig = (t: FuncType | undefined, params: string[], results: string[]): boolean =>
  t !== undefined && t.params.join() === params.join() && t.results.join() === results.join();

/** AssemblyScript's abort: message pointer, file pointer, line, column. */
const ABORT = { params: ["i32", "i32", "i32", "i32"], results: [] as string[] };
const REQUIRED_EXPORTS: readonly { name: string; kind: Extern["kind"]; params?: string[]; results?: string[] }[] = [
  { name: "memory", kind: "memory" },
  { name: "alloc", kind: "func", params: ["i32"], results: ["i32"] },
  { name: "run", kind: "func", params: ["i32", "i32"], results: ["i64"] },
];

export function checkImports(shape: ModuleShape): Check {
  for (const imp of shape.imports) {
    const label = `${imp.module}.${imp.name}`;
    if (imp.module !== "env" || imp.name !== "abort" || imp.kind !== "func") {
      return { ok: false, reason: "bad-imports", message: `the module imports ${imp.kind} ${label}; a task may import only the function env.abort` };
    }
    if (!sameSig(imp.type, ABORT.params, ABORT.results)) {
      return { ok: false, reason: "bad-imports", message: `env.abort must have type (i32, i32, i32, i32) -> (), not ${sig(imp.type)}` };
    }
  }
  return { ok: true };
}

export function checkExports(shape: ModuleShape): Check {
  for (const want of REQUIRED_EXPORTS) {
    const found = shape.exports.find((e) => e.name === want.name);
    if (!found || found.kind !== want.kind) {
      return { ok: false, reason: "bad-exports", message: `the module must export ${want.kind} "${want.name}"${found ? `, but it is a ${found.kind}` : ""}` };
    }
    if (want.params && want.results && !sameSig(found.type, want.params, want.results)) {
      const expected = sig({ params: want.params, results: want.results } as FuncType);
      return { ok: false, reason: "bad-exports", message: `export "${want.name}" must have type ${expected}, not ${sig(found.type)}` };
    }
  }
  return { ok: true };
}

/** The limits a task's memory runs with, or why the module is refused. */
export type MemoryPlan = { ok: true; minPages: number; maxPages: number } | { ok: false; reason: "memory"; message: string };

/**
 * Policy (documented in wasm-tasks/README.md): a memory without a maximum gets the host's cap as
 * its maximum; a memory that declares a larger maximum, or starts larger, is refused, so a task
 * that declares its maximum behaves the same on every host that accepts it.
 */
export function planMemory(shape: ModuleShape, maxPages: number): MemoryPlan {
  const refuse = (message: string): MemoryPlan => ({ ok: false, reason: "memory", message });
  if (shape.memories.length !== 1) return refuse(`a task must define exactly one memory, this one defines ${shape.memories.length}`);
  const memory = shape.memories[0]!;
  const cap = `the cap of ${maxPages} pages (${(maxPages * PAGE_BYTES) / 1048576} MiB)`;
  if (memory.unsupported) return refuse("shared and 64-bit memories are not supported");
  if (memory.minPages > maxPages) return refuse(`the memory starts at ${memory.minPages} pages, above ${cap}`);
  if (memory.maxPages !== undefined && memory.maxPages > maxPages) {
    return refuse(`the memory declares a maximum of ${memory.maxPages} pages, above ${cap}; raise --memory or lower the module's maximum`);
  }
  return { ok: true, minPages: memory.minPages, maxPages: memory.maxPages ?? maxPages };
}
