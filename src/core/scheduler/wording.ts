/**
 * The one-sentence status (UX.md 2): state, reason, the condition to resume, and since when.
 * "Paused since 14:02 — on battery (42%). Resumes when plugged in, or at 50%."
 */
import type { DeviceSignals } from "./signals.ts";
import type { ResumeCondition, Verdict, BlockReason } from "./policy.ts";

/** Where the status is shown: the advice differs (a browser points to the CLI worker). */
export type Host = "browser" | "cli";

export interface WordingOptions {
  readonly host: Host;
  /** Formats a time of day for the user ("14:02"); injected so the locale and zone are the host's. */
  readonly formatTime: (epochMs: number) => string;
}

const pad = (n: number): string => String(n).padStart(2, "0");

/** "14:02" in the local zone of whatever runs us. */
export const localTimeOfDay = (epochMs: number): string => {
  const date = new Date(epochMs);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
};

/** A countdown: "45 s", "42 min", "1 h 5 min" (rounded up, so it never says 0 while waiting). */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

const SETTING_LABEL = {
  onlyWhenCharging: "only when charging",
  minimumBatteryPercent: "minimum battery",
  onlyWhenIdle: "only when idle",
} as const;

const UNATTENDED_HINT = "for unattended contribution, run `edgepool work` on a computer";

function batteryText(signals: DeviceSignals): string {
  return signals.batteryPercent === undefined ? "on battery" : `on battery (${signals.batteryPercent}%)`;
}

function why(reason: BlockReason, signals: DeviceSignals, host: Host): string {
  const platform = host === "browser" ? "this browser cannot tell" : "EdgePool cannot read from this system";
  switch (reason) {
    case "contribution-off": return "contributing is turned off";
    case "paused-by-user": return "you paused contributing";
    case "paused-until": return "you paused contributing for a while";
    case "finishing-then-pause": return "you asked to pause after the current work";
    case "page-hidden": return "this tab is in the background, where browsers slow down or freeze work";
    case "platform-cannot-read-battery": return `${platform} whether the device is charging or its battery level, so it does not contribute unattended`;
    case "paused-on-battery": return batteryText(signals);
    case "battery-below-minimum": return batteryText(signals);
    case "platform-cannot-read-idle": return `${platform} whether you are using the device, so it does not contribute unattended`;
    case "user-active": return "you are using the device";
    case "cpu-busy": return "the CPU is busy with other programs";
  }
}

function resumeText(resume: ResumeCondition, now: number, options: WordingOptions): string {
  const hint = options.host === "browser" ? `; ${UNATTENDED_HINT}` : "";
  switch (resume.kind) {
    case "turned-on": return "Resumes when you turn contributing on.";
    case "user-resumes": return "Resumes when you resume contributing.";
    case "at-time": return `Resumes at ${options.formatTime(resume.at)} (in ${formatDuration(resume.at - now)}).`;
    case "page-visible": return `Resumes when you return to this tab${hint}.`;
    case "plugged-in": return "Resumes when plugged in.";
    case "plugged-in-or-battery-at": return `Resumes when plugged in, or at ${resume.percent}%.`;
    case "setting-off": return `Resumes if you turn off "${SETTING_LABEL[resume.setting]}"${hint}.`;
    case "user-idle": return "Resumes after 1 min without input.";
    case "cpu-calm": return "Resumes after 1 min of lower CPU load.";
  }
}

function runningText(verdict: Verdict, signals: DeviceSignals, since: string): string {
  const workers = `${verdict.workers} worker${verdict.workers === 1 ? "" : "s"}`;
  const free = signals.hardwareCores - verdict.workers;
  const room = free > 0 ? ` (keeping ${free} of ${signals.hardwareCores} cores free for you)` : ` (all ${signals.hardwareCores} cores)`;
  return `Contributing since ${since} on ${workers}${room}.`;
}

export function sentence(verdict: Verdict, signals: DeviceSignals, since: number, now: number, options: WordingOptions): string {
  const at = options.formatTime(since);
  if (verdict.reason === "running") return runningText(verdict, signals, at);
  const resume = verdict.resume === undefined ? "" : ` ${resumeText(verdict.resume, now, options)}`;
  if (verdict.state === "finishing") {
    const tasks = `${verdict.workers} task${verdict.workers === 1 ? "" : "s"}`;
    return `Finishing ${tasks}, then pausing (since ${at}) — ${why(verdict.reason, signals, options.host)}.${resume}`;
  }
  return `Paused since ${at} — ${why(verdict.reason, signals, options.host)}.${resume}`;
}
