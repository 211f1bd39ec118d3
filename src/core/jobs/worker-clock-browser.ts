/**
 * A TimerClock whose timers run in a dedicated Worker (DESIGN.md "Scheduler", UX.md "Facts"):
 * browsers align a hidden page's main-thread timers to a second and, after five minutes, run
 * chained ones once a minute, which would let leases lapse while a task runs. Dedicated workers are
 * not subject to that intensive throttling, so the browser node passes this clock to createNode
 * and lease renewal is driven from the worker side.
 */
import type { TimerClock } from "../scheduler/index.ts";

/** The worker: arms one timer per request and posts its id back when it fires. */
const TIMER_WORKER = `
const timers = new Map();
onmessage = ({ data }) => {
  if (data.type === "set") timers.set(data.id, setTimeout(() => { timers.delete(data.id); postMessage(data.id); }, data.delayMs));
  else { clearTimeout(timers.get(data.id)); timers.delete(data.id); }
};`;

export interface WorkerTimerClock extends TimerClock {
  /** Stops the timer worker; pending callbacks never run. */
  close(): void;
}

export function createWorkerTimerClock(): WorkerTimerClock {
  const url = URL.createObjectURL(new Blob([TIMER_WORKER], { type: "text/javascript" }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  const callbacks = new Map<number, () => void>();
  let nextId = 1;
  worker.onmessage = ({ data }: MessageEvent<number>) => {
    const callback = callbacks.get(data);
    callbacks.delete(data);
    callback?.();
  };
  return {
    now: () => Date.now(),
    setTimeout(callback, delayMs) {
      const id = nextId++;
      callbacks.set(id, callback);
      worker.postMessage({ type: "set", id, delayMs: Math.max(0, delayMs) });
      return {
        cancel() {
          if (callbacks.delete(id)) worker.postMessage({ type: "clear", id });
        },
      };
    },
    close() {
      callbacks.clear();
      worker.terminate();
    },
  };
}
