import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, coreLimit, parseSettings } from "../../../../src/core/scheduler/settings.ts";

describe("contribution settings", () => {
  it("fills missing fields with the defaults", () => {
    expect(parseSettings({})).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
    expect(parseSettings({ onlyWhenCharging: true, maxCores: 2 })).toEqual({ ok: true, settings: { ...DEFAULT_SETTINGS, onlyWhenCharging: true, maxCores: 2 } });
  });

  it.each([
    [null, "not-an-object", "must be an object"],
    [[], "not-an-object", "must be an object"],
    ["on", "not-an-object", "must be an object"],
    [{ contribute: "yes" }, "invalid-field", 'contribute must be true or false, got "yes"'],
    [{ minimumBatteryPercent: 95 }, "invalid-field", "minimumBatteryPercent must be a whole number from 0 to 90, got 95"],
    [{ minimumBatteryPercent: 12.5 }, "invalid-field", "minimumBatteryPercent"],
    [{ minimumBatteryPercent: -1 }, "invalid-field", "minimumBatteryPercent"],
    [{ maxCores: 0 }, "invalid-field", "maxCores must be a whole number of at least 1, got 0"],
    [{ maxCores: Number.POSITIVE_INFINITY }, "invalid-field", "maxCores"],
    [{ maxCores: "4" }, "invalid-field", "maxCores"],
  ])("refuses %j, naming what is wrong", (input, reason, message) => {
    const result = parseSettings(input);
    expect(result).toMatchObject({ ok: false, reason });
    if (!result.ok) expect(result.message).toContain(message);
  });

  it.each([
    [undefined, 8, 7],
    [undefined, 2, 1],
    [undefined, 1, 1],
    [3, 8, 3],
    [12, 8, 8],
    [undefined, 0, 1],
  ])("max cores %s on %d cores allows %d workers", (maxCores, cores, workers) => {
    expect(coreLimit({ ...DEFAULT_SETTINGS, maxCores }, cores)).toBe(workers);
  });
});
