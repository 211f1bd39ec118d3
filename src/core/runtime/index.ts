/** The runtime's public surface; platform hosts are imported from their own `-node` / `-browser` files. */
export * from "./task-abi.ts";
export { TaskPool } from "./task-pool.ts";
export type { PoolStatus, RunOptions, ShrinkMode, TaskPoolOptions } from "./task-pool.ts";
export { compileTask, moduleHash } from "./task-module.ts";
export type { LoadResult, LoadedTask } from "./task-module.ts";
export type { TaskWorker, WorkerEvents, WorkerHost } from "./worker-host.ts";
