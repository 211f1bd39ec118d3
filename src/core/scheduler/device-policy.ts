/**
 * The device policy: `decide` is the pure function from (signals, settings, intent, condition
 * history, now) to a Decision; `createDevicePolicy` keeps that history between calls. Neither holds
 * a timer: the Decision says when it should be asked again (`nextReevaluationAt`), and the host
 * schedules the wake-up (the Scheduler does, through its injected clock).
 */
import type { ConditionStates } from "./conditions.ts";
import { INITIAL_CONDITIONS, nextConditionChangeAt, stepConditions } from "./conditions.ts";
import type { BlockReason, PolicyInput, ReasonCode, ResumeCondition, SchedulerState } from "./policy.ts";
import { evaluate } from "./policy.ts";
import type { DeviceSignals } from "./signals.ts";
import type { ContributionSettings, UserIntent } from "./settings.ts";
import type { WordingOptions } from "./wording.ts";
import { localTimeOfDay, sentence } from "./wording.ts";

export interface Decision {
  readonly state: SchedulerState;
  /** Workers that may run now (the pool resizes to this). */
  readonly workers: number;
  /** Whether a worker may start (claim) a new task; false while finishing or paused. */
  readonly acceptNewTasks: boolean;
  readonly reason: ReasonCode;
  readonly blockedBy: readonly BlockReason[];
  readonly sentence: string;
  readonly resumeCondition: ResumeCondition | undefined;
  /** When this state and reason began. */
  readonly since: number;
  /** When to evaluate again if no signal changes (a dwell ends, a timed pause runs out). */
  readonly nextReevaluationAt: number | undefined;
  readonly coreLimit: number;
}

export interface DecideInput extends PolicyInput {
  /** The decision before this one, for `since`; undefined on the first call. */
  readonly previous: Decision | undefined;
}

function sinceOf(input: DecideInput, state: SchedulerState, reason: ReasonCode): number {
  const { previous, intent } = input;
  if (previous !== undefined && previous.state === state && previous.reason === reason) return previous.since;
  const userPaused = reason === "paused-by-user" || reason === "paused-until" || reason === "finishing-then-pause";
  return userPaused && intent.pause !== undefined ? intent.pause.since : input.now;
}

function nextReevaluation(input: DecideInput): number | undefined {
  const times = [nextConditionChangeAt(input.conditions)];
  const until = input.intent.pause?.until;
  if (until !== undefined && until > input.now) times.push(until);
  const future = times.filter((t): t is number => t !== undefined);
  return future.length === 0 ? undefined : Math.min(...future);
}

export function decide(input: DecideInput, wording: WordingOptions): Decision {
  const verdict = evaluate(input);
  const since = sinceOf(input, verdict.state, verdict.reason);
  return {
    state: verdict.state,
    workers: verdict.workers,
    acceptNewTasks: verdict.acceptNewTasks,
    reason: verdict.reason,
    blockedBy: verdict.blockedBy,
    sentence: sentence(verdict, input.signals, since, input.now, wording),
    resumeCondition: verdict.resume,
    since,
    nextReevaluationAt: nextReevaluation(input),
    coreLimit: verdict.coreLimit,
  };
}

export interface Clock {
  now(): number;
}

export interface DevicePolicyOptions {
  readonly clock: Clock;
  readonly host: WordingOptions["host"];
  readonly formatTime?: WordingOptions["formatTime"];
}

export interface DevicePolicyInput {
  readonly signals: DeviceSignals;
  readonly settings: ContributionSettings;
  readonly intent: UserIntent;
  readonly runningTasks: number;
}

export interface DevicePolicy {
  /** Steps the hysteresis state to the clock's now and decides. */
  update(input: DevicePolicyInput): Decision;
}

export function createDevicePolicy(options: DevicePolicyOptions): DevicePolicy {
  const wording: WordingOptions = { host: options.host, formatTime: options.formatTime ?? localTimeOfDay };
  let conditions: ConditionStates = INITIAL_CONDITIONS;
  let previous: Decision | undefined;
  return {
    update(input) {
      const now = options.clock.now();
      conditions = stepConditions(conditions, input.signals, input.settings, now);
      previous = decide({ ...input, conditions, now, previous }, wording);
      return previous;
    },
  };
}
