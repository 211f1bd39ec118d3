/**
 * The Scheduler: one signal source + the device policy + the user's settings and pause, deciding
 * again the moment a signal changes, the user acts, or a dwell or timed pause runs out. Subscribers
 * (the worker pool, the status line) get every decision that changes what runs or why.
 */
import type { Clock, Decision } from "./device-policy.ts";
import { createDevicePolicy } from "./device-policy.ts";
import type { ContributionSettings, UserIntent } from "./settings.ts";
import { DEFAULT_SETTINGS, NO_INTENT } from "./settings.ts";
import type { SignalSource } from "./signals.ts";
import { Listeners } from "./signals.ts";
import type { WordingOptions } from "./wording.ts";

/** A clock that can also wake us up; `systemClock` in production, a manual one in tests. */
export interface TimerClock extends Clock {
  setTimeout(callback: () => void, delayMs: number): { cancel(): void };
}

export const systemClock: TimerClock = {
  now: () => Date.now(),
  setTimeout(callback, delayMs) {
    const handle = globalThis.setTimeout(callback, delayMs);
    return { cancel: () => globalThis.clearTimeout(handle) };
  },
};

/** The longest timed pause we accept: a typo like `--for 1000d` should not pause for years. */
export const MAX_PAUSE_MS = 30 * 24 * 3600 * 1000;

export interface PauseRequest {
  /** Resume by itself after this long; omit to pause until `resume()`. */
  readonly forMs?: number;
  /** Let running tasks finish first (`pause --finish`). */
  readonly finishFirst?: boolean;
}

export type PauseResult = { ok: true } | { ok: false; reason: "invalid-duration"; message: string };

export interface SchedulerOptions {
  readonly source: SignalSource;
  readonly clock?: TimerClock;
  readonly host: WordingOptions["host"];
  readonly settings?: ContributionSettings;
  readonly formatTime?: WordingOptions["formatTime"];
}

export interface Scheduler {
  /** Decides now (the sentence's countdown is fresh) and returns the decision. */
  current(): Decision;
  /** Calls `listener` with each decision that changes what runs or why; returns the unsubscribe. */
  onDecision(listener: (decision: Decision) => void): () => void;
  setSettings(settings: ContributionSettings): void;
  pause(request?: PauseRequest): PauseResult;
  resume(): void;
  /** The worker pool reports how many tasks it is running (a "finish, then pause" waits for 0). */
  setRunningTasks(count: number): void;
  close(): void;
}

/** Fields whose change matters to subscribers; the sentence alone changes with every countdown tick. */
function materiallyDifferent(a: Decision | undefined, b: Decision): boolean {
  if (a === undefined) return true;
  return (
    a.state !== b.state ||
    a.workers !== b.workers ||
    a.acceptNewTasks !== b.acceptNewTasks ||
    a.reason !== b.reason ||
    a.blockedBy.join() !== b.blockedBy.join() ||
    JSON.stringify(a.resumeCondition) !== JSON.stringify(b.resumeCondition)
  );
}

/** Checks a pause request from outside (a CLI flag, a form) and turns it into the user's intent. */
function pauseIntent(request: PauseRequest, now: number): { ok: true; intent: UserIntent } | Extract<PauseResult, { ok: false }> {
  const { forMs, finishFirst = false } = request;
  if (forMs !== undefined && !(Number.isFinite(forMs) && forMs > 0 && forMs <= MAX_PAUSE_MS)) {
    return { ok: false, reason: "invalid-duration", message: `a pause lasts more than 0 and at most 30 days, got ${forMs} ms` };
  }
  return { ok: true, intent: { pause: { since: now, until: forMs === undefined ? undefined : now + forMs, finishFirst } } };
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? systemClock;
  const policy = createDevicePolicy({ clock, host: options.host, formatTime: options.formatTime });
  const listeners = new Listeners<[Decision]>();
  let settings = options.settings ?? DEFAULT_SETTINGS;
  let intent: UserIntent = NO_INTENT;
  let runningTasks = 0;
  let last: Decision | undefined;
  let wakeUp: { cancel(): void } | undefined;
  let closed = false;

  function reevaluate(): Decision {
    if (closed) throw new Error("the scheduler is closed");
    const until = intent.pause?.until;
    if (until !== undefined && clock.now() >= until) intent = NO_INTENT;
    const decision = policy.update({ signals: options.source.read(), settings, intent, runningTasks });
    const changed = materiallyDifferent(last, decision);
    last = decision;
    schedule(decision.nextReevaluationAt);
    if (changed) listeners.emit(decision);
    return decision;
  }

  function schedule(at: number | undefined): void {
    wakeUp?.cancel();
    wakeUp = at === undefined ? undefined : clock.setTimeout(reevaluate, Math.max(0, at - clock.now()));
  }

  const unsubscribe = options.source.onChange(reevaluate);
  reevaluate();

  return {
    current: reevaluate,
    onDecision: (listener) => listeners.add(listener),
    setSettings(next) {
      settings = next;
      reevaluate();
    },
    pause(request = {}) {
      const paused = pauseIntent(request, clock.now());
      if (!paused.ok) return paused;
      intent = paused.intent;
      reevaluate();
      return { ok: true };
    },
    resume() {
      intent = NO_INTENT;
      reevaluate();
    },
    setRunningTasks(count) {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`running tasks must be a whole number >= 0, got ${count}`);
      runningTasks = count;
      reevaluate();
    },
    close() {
      closed = true;
      wakeUp?.cancel();
      unsubscribe();
      listeners.clear();
    },
  };
}
