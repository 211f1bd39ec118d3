/**
 * How a task gets its memory. The host rewrites every task module to import its one memory
 * (`withImportedMemory`), so the thread that runs tasks can hand each new instance a memory in
 * exactly the state a fresh one has (its initial pages, all zero) without allocating one per
 * task: allocating a WebAssembly memory reserves gigabytes of address space for guard pages,
 * and freeing those reservations costs a garbage collection every few dozen tasks, which was
 * most of a small task's time (measured: p99 instantiation 4-6 ms against a 0.04 ms median).
 */
import { PAGE_BYTES } from "./task-abi.ts";

/** The import every rewritten task module names for its memory (the ABI allows no other imports, so it cannot clash). */
export const MEMORY_IMPORT = { module: "edgepool", name: "memory" } as const;

export interface PageLimits {
  readonly minPages: number;
  readonly maxPages: number;
}

/**
 * Zeroing costs time in proportion to the size, and a fresh memory's pages come zeroed from the
 * system lazily: above this size (1 MiB) a new memory is the cheaper one.
 */
const REUSE_MAX_PAGES = 16;

/**
 * The memories of one thread's tasks, run one at a time. `take` gives the next instance a memory in
 * a fresh memory's state: the one given back last if it has the same limits (zeroed first), else a
 * new one. `giveBack` ends a task's use of its memory; it is kept only if small and not grown, so an
 * idle worker holds at most 1 MiB. Nothing of the previous task can reach a reused memory: its
 * instance has returned and is dropped (tasks import no host function that could keep a reference
 * or run later).
 */
export class TaskMemories {
  private spare: { limits: PageLimits; memory: WebAssembly.Memory } | undefined;

  take(limits: PageLimits): WebAssembly.Memory {
    const spare = this.spare;
    this.spare = undefined;
    if (spare && spare.limits.minPages === limits.minPages && spare.limits.maxPages === limits.maxPages) {
      new Uint8Array(spare.memory.buffer).fill(0);
      return spare.memory;
    }
    return new WebAssembly.Memory({ initial: limits.minPages, maximum: limits.maxPages });
  }

  giveBack(memory: WebAssembly.Memory, limits: PageLimits): void {
    const fresh = memory.buffer.byteLength === limits.minPages * PAGE_BYTES;
    this.spare = fresh && limits.minPages <= REUSE_MAX_PAGES ? { limits: { minPages: limits.minPages, maxPages: limits.maxPages }, memory } : undefined;
  }
}
