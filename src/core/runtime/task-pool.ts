/**
 * The worker pool: a FIFO queue of tasks served by a resizable set of workers from a WorkerHost.
 * Each worker runs one task at a time. Wall time is enforced here, outside the worker: a task that
 * overruns has its worker terminated (the only way to stop a wasm loop) and replaced.
 */
import { defaultLimits } from "./task-abi.ts";
import type { ModuleHash, RuntimeLimits, TaskResult } from "./task-abi.ts";
import { TaskModuleCache } from "./task-module.ts";
import type { LoadResult, LoadedTask } from "./task-module.ts";
import type { TaskWorker, WorkerHost } from "./worker-host.ts";
import { decodeFromWorker } from "./worker-protocol.ts";

export interface TaskPoolOptions {
  readonly host: WorkerHost;
  readonly workers: number;
  readonly limits?: Partial<RuntimeLimits>;
  /** How many compiled modules to keep; the least recently used is dropped beyond it. */
  readonly cacheSize?: number;
}

export interface RunOptions {
  readonly timeoutMs?: number;
}

/**
 * What to do with a task running on a worker that a shrink removes: let it `finish` (the worker
 * retires afterwards) or `requeue` it at the head of the queue and stop the worker at once
 * (tasks are deterministic, so running one again is safe; use it when CPU must stop now).
 */
export type ShrinkMode = "finish" | "requeue";

export interface PoolStatus {
  readonly target: number;
  readonly starting: number;
  readonly idle: number;
  readonly busy: number;
  readonly retiring: number;
  readonly queued: number;
}

interface Job {
  readonly id: number;
  readonly task: LoadedTask;
  readonly input: Uint8Array;
  readonly timeoutMs: number;
  readonly resolve: (result: TaskResult) => void;
}

interface Slot {
  readonly worker: TaskWorker;
  state: "starting" | "idle" | "busy";
  retiring: boolean;
  readonly known: Set<ModuleHash>;
  job: { job: Job; started: number; deadline: number } | undefined;
}

export class TaskPool {
  readonly limits: RuntimeLimits;
  private readonly host: WorkerHost;
  private readonly cache: TaskModuleCache;
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private target: number;
  private nextId = 1;
  private closed = false;
  /**
   * One timer for every running task's wall-time limit, set for the earliest deadline; a task that
   * ends leaves it alone. A timer per task cost a Node timer list made and dropped every dispatch.
   */
  private watchdog: { at: number; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(options: TaskPoolOptions) {
    this.host = options.host;
    this.limits = { ...defaultLimits, ...options.limits };
    this.cache = new TaskModuleCache(this.limits, options.cacheSize ?? 32, (hash) => this.forget(hash));
    this.target = checkCount(options.workers);
    this.fill();
  }

  /** Validates and compiles a module (cached by hash); refusals say which ABI rule was broken. */
  load(bytes: Uint8Array): Promise<LoadResult> {
    return this.cache.load(bytes);
  }

  run(task: LoadedTask, input: Uint8Array, options: RunOptions = {}): Promise<TaskResult> {
    if (!(input instanceof Uint8Array)) throw new TypeError("TaskPool.run: input must be a Uint8Array");
    const timeoutMs = options.timeoutMs ?? this.limits.timeoutMs;
    if (!(timeoutMs > 0)) throw new RangeError(`TaskPool.run: timeoutMs must be positive, got ${timeoutMs}`);
    if (this.closed) return Promise.resolve({ ok: false, reason: "closed", message: "the worker pool is closed" });
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, task, input, timeoutMs, resolve });
      this.fill();
      this.pump();
    });
  }

  /** Sets the number of workers; the scheduler calls it whenever the device policy changes. */
  resize(workers: number, mode: ShrinkMode = "finish"): void {
    this.target = checkCount(workers);
    if (this.closed) return;
    // Growing again keeps workers that were only retiring: cheaper than starting new ones.
    const retiring = [...this.slots].filter((s) => s.retiring);
    const keep = Math.max(0, this.target - (this.slots.size - retiring.length));
    for (const slot of retiring.slice(0, keep)) slot.retiring = false;
    const active = [...this.slots].filter((s) => !s.retiring);
    // Keep busy workers first, then ready ones; stop the rest.
    const rank = { busy: 0, idle: 1, starting: 2 } as const;
    const excess = active.sort((a, b) => rank[a.state] - rank[b.state]).slice(this.target);
    const requeued: Job[] = [];
    for (const slot of excess) {
      if (slot.state !== "busy") this.remove(slot);
      else if (mode === "finish") slot.retiring = true;
      else {
        requeued.push(slot.job!.job);
        this.remove(slot);
      }
    }
    this.queue.unshift(...requeued);
    this.fill();
    this.pump();
  }

  status(): PoolStatus {
    const slots = [...this.slots];
    const count = (f: (s: Slot) => boolean): number => slots.filter(f).length;
    return {
      target: this.target,
      starting: count((s) => s.state === "starting"),
      idle: count((s) => s.state === "idle"),
      busy: count((s) => s.state === "busy"),
      retiring: count((s) => s.retiring),
      queued: this.queue.length,
    };
  }

  /** Stops every worker; queued and running tasks end with reason `closed`. */
  close(): void {
    this.closed = true;
    this.target = 0;
    if (this.watchdog) clearTimeout(this.watchdog.timer);
    this.watchdog = undefined;
    for (const slot of [...this.slots]) {
      slot.job?.job.resolve({ ok: false, reason: "closed", message: "the worker pool was closed while the task ran" });
      this.remove(slot);
    }
    for (const job of this.queue.splice(0)) job.resolve({ ok: false, reason: "closed", message: "the worker pool was closed before the task started" });
  }

  /** Starts workers up to the target; called on every run, so it counts without allocating. */
  private fill(): void {
    if (this.closed) return;
    let active = 0;
    for (const slot of this.slots) if (!slot.retiring) active++;
    for (; active < this.target; active++) this.spawn();
  }

  private spawn(): void {
    const slot: Slot = {
      state: "starting",
      retiring: false,
      known: new Set(),
      job: undefined,
      worker: this.host.spawn({
        message: (data) => this.onMessage(slot, data),
        exit: (why) => this.onExit(slot, why),
      }),
    };
    this.slots.add(slot);
  }

  private remove(slot: Slot): void {
    slot.job = undefined;
    this.slots.delete(slot);
    slot.worker.terminate();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.state === "idle" && !slot.retiring) this.dispatch(slot, this.queue.shift()!);
    }
  }

  private dispatch(slot: Slot, job: Job): void {
    const { task } = job;
    const module = slot.known.has(task.hash) ? undefined : task.module;
    slot.known.add(task.hash);
    slot.state = "busy";
    const started = performance.now();
    slot.job = { job, started, deadline: started + job.timeoutMs };
    this.watch(slot.job.deadline);
    slot.worker.post({
      type: "run",
      id: job.id,
      hash: task.hash,
      module,
      minPages: task.minPages,
      maxPages: task.maxPages,
      maxOutputBytes: this.limits.maxOutputBytes,
      input: job.input,
    });
  }

  private onMessage(slot: Slot, data: unknown): void {
    if (!this.slots.has(slot)) return;
    const message = decodeFromWorker(data);
    if (!message) return this.onExit(slot, "the worker sent a message that is not part of the protocol");
    if (message.type === "ready") {
      if (slot.state !== "starting") return this.onExit(slot, "the worker said it was ready twice");
      slot.state = "idle";
      return this.afterTask(slot);
    }
    const current = slot.job;
    if (!current || current.job.id !== message.id) return this.onExit(slot, `the worker answered task ${message.id}, which it was not running`);
    slot.job = undefined;
    slot.state = "idle";
    const durationMs = performance.now() - current.started;
    current.job.resolve(message.type === "done" ? { ok: true, output: message.output, durationMs, runMs: message.runMs } : { ok: false, reason: message.reason, message: message.message });
    this.afterTask(slot);
  }

  private afterTask(slot: Slot): void {
    if (slot.retiring) this.remove(slot);
    this.pump();
  }

  private watch(deadline: number): void {
    if (this.watchdog && this.watchdog.at <= deadline) return;
    if (this.watchdog) clearTimeout(this.watchdog.timer);
    this.watchdog = { at: deadline, timer: setTimeout(() => this.onWatchdog(), deadline - performance.now()) };
  }

  /** Stops every task past its deadline (terminating its worker, the only way to stop a wasm loop), then waits for the next deadline. */
  private onWatchdog(): void {
    this.watchdog = undefined;
    const now = performance.now();
    let next = Infinity;
    for (const slot of [...this.slots]) {
      const running = slot.job;
      if (!running) continue;
      if (running.deadline > now) next = Math.min(next, running.deadline);
      else {
        this.remove(slot);
        running.job.resolve({ ok: false, reason: "timeout", message: `the task ran longer than ${running.job.timeoutMs} ms and was stopped` });
      }
    }
    if (next < Infinity) this.watch(next);
    this.fill();
    this.pump();
  }

  private onExit(slot: Slot, why: string): void {
    if (!this.slots.has(slot)) return;
    const { job } = slot;
    const neverStarted = slot.state === "starting";
    this.remove(slot);
    job?.job.resolve({ ok: false, reason: "worker-crashed", message: `${why}; the task did not finish` });
    if (neverStarted) {
      // A worker that cannot start would fail again: respawning here could loop forever. The next
      // run() or resize() tries again; if no worker is left, what waits fails now.
      if (this.slots.size > 0) return;
      for (const queued of this.queue.splice(0)) queued.resolve({ ok: false, reason: "worker-unavailable", message: `no task worker could be started: ${why}` });
      return;
    }
    this.fill();
    this.pump();
  }

  private forget(hash: ModuleHash): void {
    for (const slot of this.slots) {
      if (slot.known.delete(hash)) slot.worker.post({ type: "forget", hash });
    }
  }
}

function checkCount(workers: number): number {
  if (!Number.isSafeInteger(workers) || workers < 0) throw new RangeError(`worker count must be a whole number >= 0, got ${workers}`);
  return workers;
}
