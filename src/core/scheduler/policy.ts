/**
 * The scheduling policy: small rules chained in order, each either letting work run or capping the
 * number of workers with a reason. The most restrictive cap wins (the earliest rule among equals),
 * so "why is my device not working?" always has one answer, and every other reason in force is
 * listed too. Pure: the time and the condition states (conditions.ts) come in as arguments.
 */
import type { ConditionStates } from "./conditions.ts";
import { BATTERY_RESUME_MARGIN } from "./conditions.ts";
import type { DeviceSignals } from "./signals.ts";
import type { ContributionSettings, UserIntent } from "./settings.ts";
import { coreLimit } from "./settings.ts";

/** Shared by the app and `edgepool work status --json`; documented in docs/scheduler.md. */
export type BlockReason =
  | "contribution-off"
  | "paused-by-user"
  | "paused-until"
  | "finishing-then-pause"
  | "page-hidden"
  | "platform-cannot-read-battery"
  | "paused-on-battery"
  | "battery-below-minimum"
  | "platform-cannot-read-idle"
  | "user-active"
  | "cpu-busy";

export type ReasonCode = "running" | BlockReason;

export type ResumeCondition =
  | { readonly kind: "turned-on" }
  | { readonly kind: "user-resumes" }
  | { readonly kind: "at-time"; readonly at: number }
  | { readonly kind: "page-visible" }
  | { readonly kind: "plugged-in" }
  | { readonly kind: "plugged-in-or-battery-at"; readonly percent: number }
  | { readonly kind: "setting-off"; readonly setting: "onlyWhenCharging" | "minimumBatteryPercent" | "onlyWhenIdle" }
  | { readonly kind: "user-idle" }
  | { readonly kind: "cpu-calm" };

export type SchedulerState = "running" | "finishing" | "paused";

export interface PolicyInput {
  readonly signals: DeviceSignals;
  readonly settings: ContributionSettings;
  readonly intent: UserIntent;
  readonly conditions: ConditionStates;
  /** Tasks our workers are running now (a "finish, then pause" lets exactly these finish). */
  readonly runningTasks: number;
  readonly now: number;
}

/** One rule's verdict: at most `workers` may run, and no new task starts unless `acceptNewTasks`. */
export interface Cap {
  readonly reason: BlockReason;
  readonly workers: number;
  readonly acceptNewTasks: boolean;
  readonly resume: ResumeCondition;
}

export type PolicyRule = (input: PolicyInput) => Cap | undefined;

const pausedFor = (reason: BlockReason, resume: ResumeCondition): Cap => ({ reason, workers: 0, acceptNewTasks: false, resume });

const userResume = (until: number | undefined): ResumeCondition => (until === undefined ? { kind: "user-resumes" } : { kind: "at-time", at: until });

/** A user pause that is still in force at `now` (a timed pause ends by itself). */
function activePause({ intent, now }: PolicyInput) {
  const pause = intent.pause;
  return pause !== undefined && (pause.until === undefined || now < pause.until) ? pause : undefined;
}

const contributionOff: PolicyRule = ({ settings }) => (settings.contribute ? undefined : pausedFor("contribution-off", { kind: "turned-on" }));

const userPause: PolicyRule = (input) => {
  const pause = activePause(input);
  if (pause === undefined) return undefined;
  if (pause.finishFirst && input.runningTasks > 0) {
    return { reason: "finishing-then-pause", workers: input.runningTasks, acceptNewTasks: false, resume: userResume(pause.until) };
  }
  return pausedFor(pause.until === undefined ? "paused-by-user" : "paused-until", userResume(pause.until));
};

const pageHidden: PolicyRule = ({ conditions }) =>
  conditions["page-hidden"].active ? pausedFor("page-hidden", { kind: "page-visible" }) : undefined;

/** UX.md 5: a battery rule we cannot check means we do not contribute unattended. */
const unreadableBattery: PolicyRule = ({ settings, signals }) => {
  if (settings.onlyWhenCharging && signals.charging === undefined) {
    return pausedFor("platform-cannot-read-battery", { kind: "setting-off", setting: "onlyWhenCharging" });
  }
  const levelMatters = settings.minimumBatteryPercent > 0 && signals.charging !== true;
  if (levelMatters && signals.batteryPercent === undefined) {
    return pausedFor("platform-cannot-read-battery", { kind: "setting-off", setting: "minimumBatteryPercent" });
  }
  return undefined;
};

const onBattery: PolicyRule = ({ settings, conditions }) =>
  settings.onlyWhenCharging && conditions["on-battery"].active ? pausedFor("paused-on-battery", { kind: "plugged-in" }) : undefined;

const batteryBelowMinimum: PolicyRule = ({ settings, conditions }) =>
  conditions["battery-low"].active
    ? pausedFor("battery-below-minimum", { kind: "plugged-in-or-battery-at", percent: settings.minimumBatteryPercent + BATTERY_RESUME_MARGIN })
    : undefined;

const unreadableIdle: PolicyRule = ({ settings, signals }) =>
  settings.onlyWhenIdle && signals.userIdle === undefined
    ? pausedFor("platform-cannot-read-idle", { kind: "setting-off", setting: "onlyWhenIdle" })
    : undefined;

const userActive: PolicyRule = ({ settings, conditions }) =>
  settings.onlyWhenIdle && conditions["user-active"].active ? pausedFor("user-active", { kind: "user-idle" }) : undefined;

const cpuBusy: PolicyRule = ({ conditions }) => (conditions["cpu-busy"].active ? pausedFor("cpu-busy", { kind: "cpu-calm" }) : undefined);

/** In order of precedence: the user's own choices first, then what the device says. */
export const POLICY_RULES: readonly PolicyRule[] = [
  contributionOff,
  userPause,
  pageHidden,
  unreadableBattery,
  onBattery,
  batteryBelowMinimum,
  unreadableIdle,
  userActive,
  cpuBusy,
];

export interface Verdict {
  readonly state: SchedulerState;
  readonly workers: number;
  readonly acceptNewTasks: boolean;
  readonly reason: ReasonCode;
  /** Every reason in force, in rule order (the UI can show "also: on battery"). */
  readonly blockedBy: readonly BlockReason[];
  readonly resume: ResumeCondition | undefined;
  /** Workers the core limit alone would allow (cores - 1 or the user's maximum). */
  readonly coreLimit: number;
}

const tighter = (a: Cap, b: Cap): boolean => a.workers < b.workers || (a.workers === b.workers && !a.acceptNewTasks && b.acceptNewTasks);

export function evaluate(input: PolicyInput, rules: readonly PolicyRule[] = POLICY_RULES): Verdict {
  const limit = coreLimit(input.settings, input.signals.hardwareCores);
  const caps = rules.map((rule) => rule(input)).filter((cap): cap is Cap => cap !== undefined);
  const winner = caps.reduce<Cap | undefined>((best, cap) => (best === undefined || tighter(cap, best) ? cap : best), undefined);
  const blockedBy = caps.map((cap) => cap.reason);
  if (winner === undefined) {
    return { state: "running", workers: limit, acceptNewTasks: true, reason: "running", blockedBy, resume: undefined, coreLimit: limit };
  }
  const workers = Math.min(limit, winner.workers);
  const state: SchedulerState = workers > 0 ? "finishing" : "paused";
  return { state, workers, acceptNewTasks: winner.acceptNewTasks, reason: winner.reason, blockedBy, resume: winner.resume, coreLimit: limit };
}
