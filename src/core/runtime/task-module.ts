/**
 * Turns untrusted bytes into a compiled task: size check, the ABI's import, export and memory
 * checks on the parsed module, then one compile of the module rewritten to import its memory
 * (see task-memory.ts; the rewrite keeps an invalid module invalid, so the compile still
 * validates what was submitted). Compiled modules are cached by hash so a module run a thousand
 * times is checked and compiled once.
 *
 * Nothing here holds the main thread long for a large module (8 MiB): hashing runs through
 * WebCrypto (off the main thread), `WebAssembly.compile` validates asynchronously (a separate
 * `WebAssembly.validate` blocked ~0.1 s), and the shape parser skips function bodies.
 */
import { bytesToHex, sha256, sha256Async, toArrayBufferBytes } from "../crypto/index.ts";
import { readModuleShape, withImportedMemory } from "./module-shape.ts";
import type { ModuleShape } from "./module-shape.ts";
import { checkExports, checkImports, planMemory, PAGE_BYTES } from "./task-abi.ts";
import type { LoadFailure, MemoryPlan, ModuleHash, RuntimeLimits } from "./task-abi.ts";
import { MEMORY_IMPORT } from "./task-memory.ts";

export interface LoadedTask {
  readonly hash: ModuleHash;
  /** Compiled from the submitted bytes rewritten to import their memory (`task-memory.ts`). */
  readonly module: WebAssembly.Module;
  /** The module's initial memory size, in pages. */
  readonly minPages: number;
  /** The memory maximum the instance runs with: the module's own, or the host's cap. */
  readonly maxPages: number;
}

type Refusal = { ok: false; reason: LoadFailure; message: string };
export type LoadResult = { ok: true; task: LoadedTask } | Refusal;

/** The hash, synchronously (build tools, tests); loading uses the off-thread `hashModule`. */
export const moduleHash = (bytes: Uint8Array): ModuleHash => bytesToHex(sha256(bytes)) as ModuleHash;

const hashModule = async (bytes: Uint8Array): Promise<ModuleHash> => bytesToHex(await sha256Async(bytes)) as ModuleHash;

function checkSize(bytes: Uint8Array, limits: RuntimeLimits): LoadResult | undefined {
  if (bytes.length <= limits.maxModuleBytes) return undefined;
  return { ok: false, reason: "too-large", message: `the module is ${bytes.length} bytes, above the limit of ${limits.maxModuleBytes}` };
}

/** Checks and compiles a module. */
export function compileTask(bytes: Uint8Array, limits: RuntimeLimits): Promise<LoadResult> {
  const tooLarge = checkSize(bytes, limits);
  if (tooLarge) return Promise.resolve(tooLarge);
  return compileOwned(ownCopy(bytes), limits, undefined);
}

/**
 * A private copy, taken before anything reads the bytes: the caller cannot change them between
 * hashing and compiling, and engines that refuse views over shared or resizable buffers accept it.
 */
const ownCopy = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => toArrayBufferBytes(bytes);

async function compileOwned(own: Uint8Array<ArrayBuffer>, limits: RuntimeLimits, hash: ModuleHash | undefined): Promise<LoadResult> {
  const read = readModuleShape(own);
  if (!read.ok) return read;
  const plan = checkShape(read.shape, Math.floor(limits.maxMemoryBytes / PAGE_BYTES));
  if (!plan.ok) return refusal(own, plan);
  const { minPages, maxPages } = plan;
  const runnable = withImportedMemory(own, read.shape, { ...MEMORY_IMPORT, minPages, maxPages });
  try {
    const [module, name] = await Promise.all([WebAssembly.compile(runnable), hash ?? hashModule(own)]);
    return { ok: true, task: { hash: name, module, minPages, maxPages } };
  } catch (error) {
    return malformed(error);
  }
}

/** The ABI's checks on a parsed module, in order; the first broken rule is the refusal. */
function checkShape(shape: ModuleShape, capPages: number): MemoryPlan | Refusal {
  const imports = checkImports(shape);
  if (!imports.ok) return imports;
  const exports = checkExports(shape);
  return exports.ok ? planMemory(shape, capPages) : exports;
}

/**
 * An invalid module is `malformed`, whatever ABI rule it also breaks: the engine validates the
 * bytes before a refusal names a rule (only refusals pay for it; the parser already checked the
 * sections it reads, and the engine checks the rest when it compiles an accepted module).
 */
async function refusal(own: Uint8Array<ArrayBuffer>, refused: Refusal): Promise<LoadResult> {
  try {
    await WebAssembly.compile(own);
    return refused;
  } catch (error) {
    return malformed(error);
  }
}

const malformed = (error: unknown): LoadResult => ({ ok: false, reason: "malformed", message: `the bytes are not a valid WebAssembly module: ${(error as Error).message}` });

/** Least-recently-used cache of compiled tasks; `onEvict` lets the pool tell workers to drop theirs. */
export class TaskModuleCache {
  private readonly entries = new Map<ModuleHash, Promise<LoadResult>>();

  constructor(
    private readonly limits: RuntimeLimits,
    private readonly capacity: number,
    private readonly onEvict: (hash: ModuleHash) => void,
  ) {}

  async load(bytes: Uint8Array): Promise<LoadResult> {
    // Before hashing: a hostile caller's gigabyte is refused unread.
    const tooLarge = checkSize(bytes, this.limits);
    if (tooLarge) return tooLarge;
    const own = ownCopy(bytes);
    const hash = await hashModule(own);
    const cached = this.entries.get(hash);
    if (cached) {
      this.entries.delete(hash);
      this.entries.set(hash, cached);
      return cached;
    }
    const pending = compileOwned(own, this.limits, hash);
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
