/**
 * The scheduler's platform-neutral surface. The signal adapters are imported on their own by the
 * host that can run them: `signals-browser.ts` in the app, `signals-node.ts` in the CLI worker.
 */
export type { DeviceSignals, PressureLevel, SignalSource } from "./signals.ts";
export type { ContributionSettings, UserIntent, UserPause, SettingsResult } from "./settings.ts";
export { DEFAULT_SETTINGS, coreLimit, parseSettings } from "./settings.ts";
export type { BlockReason, ReasonCode, ResumeCondition, SchedulerState } from "./policy.ts";
export type { Clock, Decision, DevicePolicy } from "./device-policy.ts";
export { createDevicePolicy, decide } from "./device-policy.ts";
export type { Host } from "./wording.ts";
export type { PauseRequest, PauseResult, Scheduler, SchedulerOptions, TimerClock } from "./scheduler.ts";
export { MAX_PAUSE_MS, createScheduler, systemClock } from "./scheduler.ts";
export {
  BATTERY_RESUME_MARGIN,
  CPU_BUSY_AFTER_MS,
  CPU_BUSY_LEVEL,
  CPU_CALM_AFTER_MS,
  IDLE_AFTER_MS,
  RESUME_DWELL_MS,
} from "./conditions.ts";
