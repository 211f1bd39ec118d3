/**
 * Turns untrusted bytes into a compiled task: size check, `WebAssembly.validate`, the ABI's import,
 * export and memory checks, then one compile. Compiled modules are cached by hash so a module run
 * a thousand times is validated and compiled once.
 */
import { bytesToHex, sha256, toArrayBufferBytes } from "../crypto/index.ts";
import { readModuleShape, withMemoryMaximum } from "./module-shape.ts";
import { checkExports, checkImports, planMemory, PAGE_BYTES } from "./task-abi.ts";
import type { LoadFailure, ModuleHash, RuntimeLimits } from "./task-abi.ts";

export interface LoadedTask {
  readonly hash: ModuleHash;
  readonly module: WebAssembly.Module;
  /** The memory maximum the instance runs with: the module's own, or the host's cap. */
  readonly maxPages: number;
}

export type LoadResult = { ok: true; task: LoadedTask } | { ok: false; reason: LoadFailure; message: string };

export const moduleHash = (bytes: Uint8Array): ModuleHash => bytesToHex(sha256(bytes)) as ModuleHash;

export async function compileTask(bytes: Uint8Array, limits: RuntimeLimits): Promise<LoadResult> {
  if (bytes.length > limits.maxModuleBytes) {
    return { ok: false, reason: "too-large", message: `the module is ${bytes.length} bytes, above the limit of ${limits.maxModuleBytes}` };
  }
  // Some engines refuse views over shared or resizable buffers; a private copy is always accepted.
  const own = toArrayBufferBytes(bytes);
  if (!WebAssembly.validate(own)) {
    return { ok: false, reason: "malformed", message: "the bytes are not a valid WebAssembly module" };
  }
  const read = readModuleShape(own);
  if (!read.ok) return read;
  const imports = checkImports(read.shape);
  if (!imports.ok) return imports;
  const exports = checkExports(read.shape);
  if (!exports.ok) return exports;
  const capPages = Math.floor(limits.maxMemoryBytes / PAGE_BYTES);
  const plan = planMemory(read.shape, capPages);
  if (!plan.ok) return plan;
  const runnable = plan.setMaximum ? withMemoryMaximum(own, read.shape, capPages) : own;
  try {
    const module = await WebAssembly.compile(runnable);
    const maxPages = read.shape.memories[0]!.maxPages ?? capPages;
    return { ok: true, task: { hash: moduleHash(own), module, maxPages } };
  } catch (error) {
    return { ok: false, reason: "malformed", message: `the module does not compile: ${(error as Error).message}` };
  }
}

/** Least-recently-used cache of compiled tasks; `onEvict` lets the pool tell workers to drop theirs. */
export class TaskModuleCache {
  private readonly entries = new Map<ModuleHash, Promise<LoadResult>>();

  constructor(
    private readonly limits: RuntimeLimits,
    private readonly capacity: number,
    private readonly onEvict: (hash: ModuleHash) => void,
  ) {}

  load(bytes: Uint8Array): Promise<LoadResult> {
    const hash = moduleHash(bytes);
    const cached = this.entries.get(hash);
    if (cached) {
      this.entries.delete(hash);
      this.entries.set(hash, cached);
      return cached;
    }
    const pending = compileTask(bytes, this.limits);
    this.entries.set(hash, pending);
    // Refusals are cheap to recompute and must not occupy a slot a valid module could use.
    void pending.then((result) => {
      if (!result.ok && this.entries.get(hash) === pending) this.entries.delete(hash);
    });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as ModuleHash;
      this.entries.delete(oldest);
      this.onEvict(oldest);
    }
    return pending;
  }
}
