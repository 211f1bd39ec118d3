/** Shared by the scheduler tests: a fixed start time, a UTC time format, and a plugged-in laptop. */
import type { DeviceSignals } from "../../../../src/core/scheduler/signals.ts";
import type { TimerClock } from "../../../../src/core/scheduler/scheduler.ts";

/** 26 Nov 2026 14:02 UTC: sentences in the tests read "since 14:02". */
export const T0 = Date.UTC(2026, 10, 26, 14, 2);

export const utcTime = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

export const pluggedInLaptop: DeviceSignals = {
  charging: true,
  batteryPercent: 80,
  pageVisible: undefined,
  userIdle: undefined,
  cpuPressure: "nominal",
  hardwareCores: 4,
};

/** A clock the test moves by hand; due timers fire in time order as it passes them. */
export function manualClock(start = T0): TimerClock & { advance(ms: number): void; pending(): number } {
  let now = start;
  let timers: { at: number; callback: () => void }[] = [];
  return {
    now: () => now,
    setTimeout(callback, delayMs) {
      const timer = { at: now + delayMs, callback };
      timers.push(timer);
      return { cancel: () => void (timers = timers.filter((t) => t !== timer)) };
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (due === undefined) break;
        timers = timers.filter((t) => t !== due);
        now = Math.max(now, due.at);
        due.callback();
      }
      now = end;
    },
    pending: () => timers.length,
  };
}
