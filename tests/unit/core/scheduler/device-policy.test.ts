import { describe, expect, it } from "vitest";
import { createDevicePolicy, type Decision } from "../../../../src/core/scheduler/device-policy.ts";
import { DEFAULT_SETTINGS, NO_INTENT, type ContributionSettings, type UserIntent } from "../../../../src/core/scheduler/settings.ts";
import type { DeviceSignals } from "../../../../src/core/scheduler/signals.ts";
import { T0, pluggedInLaptop, utcTime } from "./policy-fixtures.ts";

/** One moment of a scenario: seconds after T0, and what changed then (signals accumulate). */
interface Step {
  readonly at: number;
  readonly signals?: Partial<DeviceSignals>;
  readonly runningTasks?: number;
  readonly intent?: UserIntent;
}

interface Row {
  readonly name: string;
  readonly settings?: Partial<ContributionSettings>;
  readonly steps: readonly Step[];
  readonly expect: Partial<Decision> & { readonly nextInSeconds?: number };
}

const onBattery = (batteryPercent: number): Partial<DeviceSignals> => ({ charging: false, batteryPercent });
const pauseFor = (seconds: number | undefined, finishFirst = false): UserIntent => ({
  pause: { since: T0, until: seconds === undefined ? undefined : T0 + seconds * 1000, finishFirst },
});

function runScenario(row: Row): Decision {
  let now = T0;
  const policy = createDevicePolicy({ clock: { now: () => now }, host: "browser", formatTime: utcTime });
  const settings = { ...DEFAULT_SETTINGS, ...row.settings };
  let signals = pluggedInLaptop;
  let intent = NO_INTENT;
  let runningTasks = 0;
  let decision: Decision | undefined;
  for (const step of row.steps) {
    now = T0 + step.at * 1000;
    signals = { ...signals, ...step.signals };
    intent = step.intent ?? intent;
    runningTasks = step.runningTasks ?? runningTasks;
    decision = policy.update({ signals, settings, intent, runningTasks });
  }
  return decision!;
}

const rules: Row[] = [
  { name: "a plugged-in laptop runs on cores - 1", steps: [{ at: 0 }], expect: { state: "running", reason: "running", workers: 3, acceptNewTasks: true, blockedBy: [] } },
  { name: "a one-core device still runs one worker", steps: [{ at: 0, signals: { hardwareCores: 1 } }], expect: { workers: 1, sentence: "Contributing since 14:02 on 1 worker (all 1 cores)." } },
  { name: "the user's maximum caps the workers", settings: { maxCores: 2 }, steps: [{ at: 0, signals: { hardwareCores: 8 } }], expect: { workers: 2, coreLimit: 2 } },
  { name: "a maximum above the cores is held to the cores", settings: { maxCores: 16 }, steps: [{ at: 0 }], expect: { workers: 4, sentence: "Contributing since 14:02 on 4 workers (all 4 cores)." } },
  { name: "the running sentence says how many cores stay free", steps: [{ at: 0 }], expect: { sentence: "Contributing since 14:02 on 3 workers (keeping 1 of 4 cores free for you)." } },
  {
    name: "contribution off pauses whatever the device says",
    settings: { contribute: false },
    steps: [{ at: 0 }],
    expect: { state: "paused", workers: 0, reason: "contribution-off", resumeCondition: { kind: "turned-on" }, sentence: "Paused since 14:02 — contributing is turned off. Resumes when you turn contributing on." },
  },
  {
    name: "only-when-charging pauses on battery",
    settings: { onlyWhenCharging: true },
    steps: [{ at: 0, signals: onBattery(80) }],
    expect: { reason: "paused-on-battery", workers: 0, sentence: "Paused since 14:02 — on battery (80%). Resumes when plugged in." },
  },
  {
    name: "only-when-charging with no charging signal does not contribute unattended",
    settings: { onlyWhenCharging: true },
    steps: [{ at: 0, signals: { charging: undefined, batteryPercent: undefined } }],
    expect: {
      reason: "platform-cannot-read-battery",
      workers: 0,
      resumeCondition: { kind: "setting-off", setting: "onlyWhenCharging" },
      sentence:
        'Paused since 14:02 — this browser cannot tell whether the device is charging or its battery level, so it does not contribute unattended. Resumes if you turn off "only when charging"; for unattended contribution, run `edgepool work` on a computer.',
    },
  },
  { name: "on battery above the minimum runs", steps: [{ at: 0, signals: onBattery(31) }], expect: { reason: "running", workers: 3 } },
  { name: "on battery exactly at the minimum runs (stop only below it)", steps: [{ at: 0, signals: onBattery(30) }], expect: { reason: "running" } },
  {
    name: "on battery below the minimum pauses",
    steps: [{ at: 0, signals: onBattery(29) }],
    expect: { reason: "battery-below-minimum", workers: 0, resumeCondition: { kind: "plugged-in-or-battery-at", percent: 40 }, sentence: "Paused since 14:02 — on battery (29%). Resumes when plugged in, or at 40%." },
  },
  { name: "a minimum of 0 never pauses for the battery", settings: { minimumBatteryPercent: 0 }, steps: [{ at: 0, signals: onBattery(3) }], expect: { reason: "running" } },
  { name: "charging at a low level runs", steps: [{ at: 0, signals: { charging: true, batteryPercent: 5 } }], expect: { reason: "running" } },
  { name: "a desktop without battery (on AC, no level) runs", steps: [{ at: 0, signals: { charging: true, batteryPercent: undefined } }], expect: { reason: "running" } },
  {
    name: "a minimum battery with an unreadable battery does not contribute unattended",
    steps: [{ at: 0, signals: { charging: undefined, batteryPercent: undefined } }],
    expect: { reason: "platform-cannot-read-battery", resumeCondition: { kind: "setting-off", setting: "minimumBatteryPercent" } },
  },
  { name: "on battery with an unreadable level is unreadable too", steps: [{ at: 0, signals: { charging: false, batteryPercent: undefined } }], expect: { reason: "platform-cannot-read-battery" } },
  { name: "no battery rule: an unreadable battery does not matter", settings: { minimumBatteryPercent: 0 }, steps: [{ at: 0, signals: { charging: undefined, batteryPercent: undefined } }], expect: { reason: "running" } },
  {
    name: "only-when-idle with no idle signal does not contribute unattended",
    settings: { onlyWhenIdle: true },
    steps: [{ at: 0 }],
    expect: { reason: "platform-cannot-read-idle", resumeCondition: { kind: "setting-off", setting: "onlyWhenIdle" } },
  },
  {
    name: "only-when-idle pauses while the user is active",
    settings: { onlyWhenIdle: true },
    steps: [{ at: 0, signals: { userIdle: false } }],
    expect: { reason: "user-active", sentence: "Paused since 14:02 — you are using the device. Resumes after 1 min without input." },
  },
  { name: "only-when-idle runs while the user is idle", settings: { onlyWhenIdle: true }, steps: [{ at: 0, signals: { userIdle: true } }], expect: { reason: "running" } },
  { name: "an active user does not matter without only-when-idle", steps: [{ at: 0, signals: { userIdle: false } }], expect: { reason: "running" } },
  {
    name: "a hidden page pauses and points to the CLI worker",
    steps: [{ at: 0, signals: { pageVisible: false } }],
    expect: {
      reason: "page-hidden",
      sentence: "Paused since 14:02 — this tab is in the background, where browsers slow down or freeze work. Resumes when you return to this tab; for unattended contribution, run `edgepool work` on a computer.",
    },
  },
  { name: "a page shown again resumes at once (no dwell: the browser decides)", steps: [{ at: 0, signals: { pageVisible: false } }, { at: 5, signals: { pageVisible: true } }], expect: { reason: "running" } },
  {
    name: "the user's switch is named first, every other reason is listed",
    settings: { contribute: false },
    steps: [{ at: 0, signals: { ...onBattery(10), pageVisible: false } }],
    expect: { reason: "contribution-off", blockedBy: ["contribution-off", "page-hidden", "battery-below-minimum"] },
  },
];

const hysteresis: Row[] = [
  { name: "battery: still paused 9 points above the minimum", steps: [{ at: 0, signals: onBattery(25) }, { at: 120, signals: onBattery(39) }], expect: { reason: "battery-below-minimum" } },
  { name: "battery: resumes 10 points above the minimum", steps: [{ at: 0, signals: onBattery(25) }, { at: 120, signals: onBattery(40) }], expect: { reason: "running", sentence: "Contributing since 14:04 on 3 workers (keeping 1 of 4 cores free for you)." } },
  { name: "battery: resumes when plugged in below the band", steps: [{ at: 0, signals: onBattery(25) }, { at: 120, signals: { charging: true } }], expect: { reason: "running" } },
  {
    name: "battery: UX.md's sentence in the hysteresis band",
    settings: { minimumBatteryPercent: 40 },
    steps: [{ at: 0, signals: onBattery(38) }, { at: 120, signals: onBattery(42) }],
    expect: { sentence: "Paused since 14:02 — on battery (42%). Resumes when plugged in, or at 50%." },
  },
  {
    name: "battery: plugged in 20 s after pausing waits out the minute",
    steps: [{ at: -60, signals: onBattery(35) }, { at: 10, signals: onBattery(29) }, { at: 30, signals: { charging: true } }],
    expect: { reason: "battery-below-minimum", nextInSeconds: 70 },
  },
  {
    name: "battery: the dwell ends one minute after the pause",
    steps: [{ at: -60, signals: onBattery(35) }, { at: 10, signals: onBattery(29) }, { at: 30, signals: { charging: true } }, { at: 70 }],
    expect: { reason: "running", nextReevaluationAt: undefined },
  },
  {
    name: "charging: unplugged again 30 s after resuming pauses at once (no dwell on a stop)",
    settings: { onlyWhenCharging: true },
    steps: [{ at: 0, signals: onBattery(80) }, { at: 60, signals: { charging: true } }, { at: 90, signals: { charging: false } }],
    expect: { reason: "paused-on-battery", workers: 0, since: T0 + 90_000 },
  },
  {
    name: "charging: plugged in again 10 s after that waits out the minute from the pause",
    settings: { onlyWhenCharging: true },
    steps: [{ at: 0, signals: onBattery(80) }, { at: 60, signals: { charging: true } }, { at: 90, signals: { charging: false } }, { at: 100, signals: { charging: true } }],
    expect: { reason: "paused-on-battery", nextInSeconds: 150 },
  },
  { name: "cpu: not busy after 29 s at critical", steps: [{ at: 0, signals: { cpuPressure: "critical" } }, { at: 29 }], expect: { reason: "running", nextInSeconds: 30 } },
  {
    name: "cpu: busy after 30 s at critical",
    steps: [{ at: 0, signals: { cpuPressure: "critical" } }, { at: 30 }],
    expect: { reason: "cpu-busy", workers: 0, sentence: "Paused since 14:02 — the CPU is busy with other programs. Resumes after 1 min of lower CPU load." },
  },
  {
    name: "cpu: a dip below the threshold restarts the 30 s",
    steps: [{ at: 0, signals: { cpuPressure: "critical" } }, { at: 10, signals: { cpuPressure: "nominal" } }, { at: 20, signals: { cpuPressure: "critical" } }, { at: 49 }],
    expect: { reason: "running", nextInSeconds: 50 },
  },
  {
    name: "cpu: still busy 59 s after the load fell",
    steps: [{ at: 0, signals: { cpuPressure: "critical" } }, { at: 30 }, { at: 40, signals: { cpuPressure: "fair" } }, { at: 99 }],
    expect: { reason: "cpu-busy", nextInSeconds: 100 },
  },
  { name: "cpu: clear 60 s after the load fell", steps: [{ at: 0, signals: { cpuPressure: "critical" } }, { at: 30 }, { at: 40, signals: { cpuPressure: "fair" } }, { at: 100 }], expect: { reason: "running" } },
  { name: "cpu: serious pressure (our own workers) is not busy", steps: [{ at: 0, signals: { cpuPressure: "serious" } }, { at: 300 }], expect: { reason: "running" } },
  { name: "cpu: unknown pressure is not busy", steps: [{ at: 0, signals: { cpuPressure: undefined } }, { at: 300 }], expect: { reason: "running" } },
  {
    name: "idle: input pauses at once",
    settings: { onlyWhenIdle: true },
    steps: [{ at: 0, signals: { userIdle: true } }, { at: 10, signals: { userIdle: false } }],
    expect: { reason: "user-active", since: T0 + 10_000 },
  },
  {
    name: "idle: idle again 10 s later still waits out the minute",
    settings: { onlyWhenIdle: true },
    steps: [{ at: 0, signals: { userIdle: true } }, { at: 10, signals: { userIdle: false } }, { at: 20, signals: { userIdle: true } }],
    expect: { reason: "user-active", nextInSeconds: 70 },
  },
  {
    name: "idle: resumes a minute after the pause",
    settings: { onlyWhenIdle: true },
    steps: [{ at: 0, signals: { userIdle: true } }, { at: 10, signals: { userIdle: false } }, { at: 20, signals: { userIdle: true } }, { at: 70 }],
    expect: { reason: "running" },
  },
  {
    name: "idle: input 5 s after resuming pauses at once",
    settings: { onlyWhenIdle: true },
    steps: [{ at: 0, signals: { userIdle: true } }, { at: 10, signals: { userIdle: false } }, { at: 20, signals: { userIdle: true } }, { at: 70 }, { at: 75, signals: { userIdle: false } }],
    expect: { reason: "user-active", since: T0 + 75_000 },
  },
];

const userPauses: Row[] = [
  {
    name: "timed pause counts down",
    steps: [{ at: 60, intent: pauseFor(3600) }],
    expect: { reason: "paused-until", resumeCondition: { kind: "at-time", at: T0 + 3_600_000 }, since: T0, nextInSeconds: 3600, sentence: "Paused since 14:02 — you paused contributing for a while. Resumes at 15:02 (in 59 min)." },
  },
  { name: "timed pause: the countdown's last seconds", steps: [{ at: 3570, intent: pauseFor(3600) }], expect: { sentence: "Paused since 14:02 — you paused contributing for a while. Resumes at 15:02 (in 30 s)." } },
  { name: "timed pause ends by itself", steps: [{ at: 0, intent: pauseFor(3600) }, { at: 3600 }], expect: { reason: "running", since: T0 + 3_600_000 } },
  {
    name: "pause without a time waits for the user",
    steps: [{ at: 0, intent: pauseFor(undefined) }],
    expect: { reason: "paused-by-user", resumeCondition: { kind: "user-resumes" }, nextReevaluationAt: undefined, sentence: "Paused since 14:02 — you paused contributing. Resumes when you resume contributing." },
  },
  {
    name: "finish then pause lets running tasks finish but starts none",
    steps: [{ at: 0, runningTasks: 2, intent: pauseFor(undefined, true) }],
    expect: { state: "finishing", reason: "finishing-then-pause", workers: 2, acceptNewTasks: false, sentence: "Finishing 2 tasks, then pausing (since 14:02) — you asked to pause after the current work. Resumes when you resume contributing." },
  },
  { name: "finish then pause: paused once the tasks are done", steps: [{ at: 0, runningTasks: 2, intent: pauseFor(undefined, true) }, { at: 40, runningTasks: 0 }], expect: { state: "paused", reason: "paused-by-user", workers: 0 } },
  { name: "finish then pause for an hour: then a timed pause", steps: [{ at: 0, runningTasks: 1, intent: pauseFor(3600, true) }, { at: 40, runningTasks: 0 }], expect: { reason: "paused-until" } },
  { name: "finish then pause never runs more than the core limit", steps: [{ at: 0, runningTasks: 5, intent: pauseFor(undefined, true) }], expect: { workers: 3 } },
  {
    name: "a device pause stops finishing tasks too",
    steps: [{ at: 0, runningTasks: 2, intent: pauseFor(undefined, true), signals: onBattery(10) }],
    expect: { reason: "battery-below-minimum", workers: 0, blockedBy: ["finishing-then-pause", "battery-below-minimum"] },
  },
];

describe.each([
  ["each rule", rules],
  ["hysteresis and dwell", hysteresis],
  ["timed pause and finish-then-pause", userPauses],
])("device policy: %s", (_group, rows) => {
  it.each(rows.map((row) => [row.name, row] as const))("%s", (_name, row) => {
    const decision = runScenario(row);
    const { nextInSeconds, ...expected } = row.expect;
    expect(decision).toMatchObject(expected);
    if (nextInSeconds !== undefined) expect(decision.nextReevaluationAt).toBe(T0 + nextInSeconds * 1000);
  });
});
