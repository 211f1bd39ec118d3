import { describe, expect, it } from "vitest";
import { createDevicePolicy } from "../../../../src/core/scheduler/device-policy.ts";
import { DEFAULT_SETTINGS, NO_INTENT } from "../../../../src/core/scheduler/settings.ts";
import { formatDuration, localTimeOfDay } from "../../../../src/core/scheduler/wording.ts";
import { T0, pluggedInLaptop, utcTime } from "./policy-fixtures.ts";

describe("status wording", () => {
  it.each([
    [0, "0 s"],
    [1, "1 s"],
    [59_001, "1 min"],
    [60_000, "1 min"],
    [61_000, "2 min"],
    [3_600_000, "1 h"],
    [3_900_000, "1 h 5 min"],
  ])("counts %d ms down as %s (rounded up, never 0 while waiting)", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("shows times of day as HH:MM in the host's zone", () => {
    const morning = new Date(2026, 10, 26, 9, 5).getTime();
    expect(localTimeOfDay(morning)).toBe("09:05");
  });

  it("tells a CLI user what to change instead of pointing to the CLI", () => {
    const policy = createDevicePolicy({ clock: { now: () => T0 }, host: "cli", formatTime: utcTime });
    const decision = policy.update({
      signals: { ...pluggedInLaptop, charging: undefined, batteryPercent: undefined },
      settings: DEFAULT_SETTINGS,
      intent: NO_INTENT,
      runningTasks: 0,
    });
    expect(decision.sentence).toBe(
      'Paused since 14:02 — EdgePool cannot read from this system whether the device is charging or its battery level, so it does not contribute unattended. Resumes if you turn off "minimum battery".',
    );
  });
});
