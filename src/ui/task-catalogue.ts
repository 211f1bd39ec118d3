/**
 * The built-in tasks (public/tasks/manifest.json, written by wasm-tasks/build.ts) and their
 * modules, fetched from the app's own origin; the service worker precaches both, so they load
 * offline. The manifest is checked field by field before use: a stale or damaged cache must give
 * a clear message, not a crash.
 */
export interface BuiltInTask {
  readonly name: string;
  readonly file: string;
  readonly hash: string;
  readonly description: string;
  readonly input: string;
  readonly output: string;
}

export type CatalogueResult = { ok: true; tasks: readonly BuiltInTask[] } | { ok: false; reason: "unreachable" | "malformed"; message: string };

const FIELDS = ["name", "file", "hash", "description", "input", "output"] as const;

function isTask(value: unknown): value is BuiltInTask {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return FIELDS.every((field) => typeof record[field] === "string") && /^[a-z0-9-]+\.wasm$/.test(record.file as string);
}

export async function loadCatalogue(base = "/tasks/"): Promise<CatalogueResult> {
  let body: unknown;
  try {
    const response = await fetch(`${base}manifest.json`);
    if (!response.ok) return { ok: false, reason: "unreachable", message: `the task list could not be loaded (HTTP ${response.status})` };
    body = await response.json();
  } catch (error) {
    return { ok: false, reason: "unreachable", message: `the task list could not be loaded: ${(error as Error).message}` };
  }
  const tasks = (body as { tasks?: unknown } | null)?.tasks;
  if (!Array.isArray(tasks) || !tasks.every(isTask)) return { ok: false, reason: "malformed", message: "the task list is damaged; reload the app" };
  return { ok: true, tasks };
}

export type ModuleResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: "unreachable"; message: string };

const fetched = new Map<string, Promise<ModuleResult>>();

/** A built-in module's bytes, fetched once per page (submitting a job must not wait for the cache). */
export function fetchTaskModule(task: BuiltInTask, base = "/tasks/"): Promise<ModuleResult> {
  const key = `${base}${task.file}#${task.hash}`;
  let module = fetched.get(key);
  if (!module) {
    module = fetchNow(task, base);
    fetched.set(key, module);
    void module.then((m) => m.ok || fetched.delete(key));
  }
  return module;
}

async function fetchNow(task: BuiltInTask, base: string): Promise<ModuleResult> {
  try {
    const response = await fetch(`${base}${task.file}`);
    if (!response.ok) return { ok: false, reason: "unreachable", message: `the module of ${task.name} could not be loaded (HTTP ${response.status})` };
    return { ok: true, bytes: new Uint8Array(await response.arrayBuffer()) };
  } catch (error) {
    return { ok: false, reason: "unreachable", message: `the module of ${task.name} could not be loaded: ${(error as Error).message}` };
  }
}
