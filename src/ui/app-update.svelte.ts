/**
 * The service worker's life as the user sees it (UX.md 12): registered only in production builds;
 * a new version waits (registerType "prompt") until the user chooses to update, and even then the
 * page reloads only once no task runs ("update after current task"), because a reload kills them.
 */
import type { Workbox } from "workbox-window";
import { localRuntime } from "./local-runtime.svelte.ts";
import { poolsState } from "./pools.svelte.ts";

/** Tasks this page runs: "Try it" and the pool node's contribution. */
const tasksRunning = (): number => localRuntime.running + (poolsState.node?.workStatus()?.pool.busy ?? 0);
const IDLE_POLL_MS = 1000;

export type UpdateState =
  | { readonly status: "none" }
  | { readonly status: "ready" }
  | { readonly status: "after-task" }
  | { readonly status: "dismissed" };

let current = $state<UpdateState>({ status: "none" });
let workbox: Workbox | undefined;

export const appUpdate = {
  get current(): UpdateState {
    return current;
  },
  /** Activates the waiting version and reloads, after the running tasks finish. */
  async apply(): Promise<void> {
    if (!workbox) return;
    if (tasksRunning() > 0) {
      current = { status: "after-task" };
      while (tasksRunning() > 0) await new Promise((resolve) => setTimeout(resolve, IDLE_POLL_MS));
    }
    workbox.addEventListener("controlling", () => location.reload());
    workbox.messageSkipWaiting();
  },
  dismiss(): void {
    current = { status: "dismissed" };
  },
};

/** Registers /sw.js; a failure leaves the app working online only, which it says nowhere else. */
export async function registerServiceWorker(): Promise<void> {
  if (!("serviceWorker" in navigator)) return;
  const { Workbox } = await import("workbox-window");
  workbox = new Workbox("/sw.js", { scope: "/" });
  workbox.addEventListener("waiting", () => (current = { status: "ready" }));
  try {
    await workbox.register();
  } catch (error) {
    console.warn("EdgePool: the service worker could not be registered; the app will not work offline", error);
  }
}
