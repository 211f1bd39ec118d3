/**
 * Device conditions with hysteresis and dwell (UX.md 3), as a pure step function: the caller keeps
 * the state and passes the time in, so there are no timers here and tests drive the clock.
 *
 * Each condition is a boolean that stops work while on ("the device is on battery") with a rule: how
 * long its raw reading must hold before it turns on or off, and the least time it stays on before
 * work may resume. Volunteer computing users report flapping at thresholds as a bug; these delays
 * are the cure. Stops are never delayed by a dwell: a device whose user came back or unplugged it
 * must stop at once, not when a minute since the last resume is up.
 */
import type { DeviceSignals } from "./signals.ts";
import { pressureAtLeast } from "./signals.ts";
import type { ContributionSettings } from "./settings.ts";

const SECOND = 1000;

/** A condition that stopped work stays on at least this long: at most one resume per minute per condition. */
export const RESUME_DWELL_MS = 60 * SECOND;
/** "Idle" means no input for this long; the browser adapter asks Idle Detection for this threshold. */
export const IDLE_AFTER_MS = 60 * SECOND;
export const CPU_BUSY_AFTER_MS = 30 * SECOND;
export const CPU_CALM_AFTER_MS = 60 * SECOND;
/** Having stopped below the minimum, resume only this many points above it (or when charging). */
export const BATTERY_RESUME_MARGIN = 10;
/**
 * Busy at "critical": the browser's pressure reading includes our own workers, so a lower level
 * would pause us on our own load (cores - 1 busy workers alone read as "serious").
 */
export const CPU_BUSY_LEVEL = "critical" as const;

export type ConditionName = "on-battery" | "battery-low" | "page-hidden" | "user-active" | "cpu-busy";

export interface ConditionRule {
  readonly enterAfterMs: number;
  readonly clearAfterMs: number;
  /** The least time between turning on (work stops) and turning off (work resumes). */
  readonly resumeDwellMs: number;
  /** The raw reading now, given whether the condition is currently on (for hysteresis bands). */
  raw(signals: DeviceSignals, settings: ContributionSettings, active: boolean): boolean;
}

export interface ConditionState {
  readonly active: boolean;
  /** When it last turned on or off; -Infinity before its first transition. */
  readonly lastTransitionAt: number;
  /** Since when the raw reading has disagreed with `active`; undefined when they agree. */
  readonly pendingSince: number | undefined;
}

export type ConditionStates = Readonly<Record<ConditionName, ConditionState>>;

function batteryLow(signals: DeviceSignals, settings: ContributionSettings, active: boolean): boolean {
  const min = settings.minimumBatteryPercent;
  if (min <= 0 || signals.charging === true || signals.batteryPercent === undefined) return false;
  return active ? signals.batteryPercent < min + BATTERY_RESUME_MARGIN : signals.batteryPercent < min;
}

export const CONDITION_RULES: Readonly<Record<ConditionName, ConditionRule>> = {
  "on-battery": { enterAfterMs: 0, clearAfterMs: 0, resumeDwellMs: RESUME_DWELL_MS, raw: (s) => s.charging === false },
  "battery-low": { enterAfterMs: 0, clearAfterMs: 0, resumeDwellMs: RESUME_DWELL_MS, raw: batteryLow },
  // A hidden page may be frozen at any moment, so pausing (and checkpointing) cannot wait; the
  // browser itself decides when we run in the background, and no dwell protects against that.
  "page-hidden": { enterAfterMs: 0, clearAfterMs: 0, resumeDwellMs: 0, raw: (s) => s.pageVisible === false },
  // The idle signal already means IDLE_AFTER_MS without input (the platform measures it).
  "user-active": { enterAfterMs: 0, clearAfterMs: 0, resumeDwellMs: RESUME_DWELL_MS, raw: (s) => s.userIdle === false },
  "cpu-busy": {
    enterAfterMs: CPU_BUSY_AFTER_MS,
    clearAfterMs: CPU_CALM_AFTER_MS,
    resumeDwellMs: RESUME_DWELL_MS,
    raw: (s) => pressureAtLeast(s.cpuPressure, CPU_BUSY_LEVEL),
  },
};

const CONDITION_NAMES = Object.keys(CONDITION_RULES) as ConditionName[];

const OFF: ConditionState = { active: false, lastTransitionAt: -Infinity, pendingSince: undefined };

export const INITIAL_CONDITIONS: ConditionStates = Object.fromEntries(CONDITION_NAMES.map((name) => [name, OFF])) as Record<
  ConditionName,
  ConditionState
>;

/** When a pending change takes effect if the raw reading keeps disagreeing; undefined if none is pending. */
export function dueAt(state: ConditionState, rule: ConditionRule): number | undefined {
  if (state.pendingSince === undefined) return undefined;
  if (!state.active) return state.pendingSince + rule.enterAfterMs;
  return Math.max(state.pendingSince + rule.clearAfterMs, state.lastTransitionAt + rule.resumeDwellMs);
}

export function stepCondition(state: ConditionState, raw: boolean, now: number, rule: ConditionRule): ConditionState {
  if (raw === state.active) return state.pendingSince === undefined ? state : { ...state, pendingSince: undefined };
  const pending: ConditionState = { ...state, pendingSince: state.pendingSince ?? now };
  return now >= dueAt(pending, rule)! ? { active: raw, lastTransitionAt: now, pendingSince: undefined } : pending;
}

export function stepConditions(states: ConditionStates, signals: DeviceSignals, settings: ContributionSettings, now: number): ConditionStates {
  const next = {} as Record<ConditionName, ConditionState>;
  for (const name of CONDITION_NAMES) {
    const rule = CONDITION_RULES[name];
    const state = states[name];
    next[name] = stepCondition(state, rule.raw(signals, settings, state.active), now, rule);
  }
  return next;
}

/** The earliest time a pending condition change falls due: when the host should call us again. */
export function nextConditionChangeAt(states: ConditionStates): number | undefined {
  let earliest: number | undefined;
  for (const name of CONDITION_NAMES) {
    const at = dueAt(states[name], CONDITION_RULES[name]);
    if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
  }
  return earliest;
}
