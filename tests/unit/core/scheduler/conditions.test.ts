import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONDITION_RULES,
  INITIAL_CONDITIONS,
  stepConditions,
  type ConditionName,
  type ConditionStates,
} from "../../../../src/core/scheduler/conditions.ts";
import { PRESSURE_LEVELS, type DeviceSignals } from "../../../../src/core/scheduler/signals.ts";
import { DEFAULT_SETTINGS } from "../../../../src/core/scheduler/settings.ts";

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const signals: fc.Arbitrary<DeviceSignals> = fc.record({
  charging: maybe(fc.boolean()),
  batteryPercent: maybe(fc.integer({ min: 0, max: 100 })),
  pageVisible: maybe(fc.boolean()),
  userIdle: maybe(fc.boolean()),
  cpuPressure: maybe(fc.constantFrom(...PRESSURE_LEVELS)),
  hardwareCores: fc.integer({ min: 1, max: 64 }),
});

/** Readings arriving at random moments (0–20 s apart), as flaky as real sensors get. */
const readings = fc.array(fc.tuple(fc.integer({ min: 0, max: 20_000 }), signals), { minLength: 1, maxLength: 200 });

const names = Object.keys(CONDITION_RULES) as ConditionName[];

describe("condition hysteresis", () => {
  it("stops at once and never resumes a condition within its dwell, however the readings flap", () => {
    fc.assert(
      fc.property(readings, fc.integer({ min: 0, max: 90 }), (steps, minimumBatteryPercent) => {
        const settings = { ...DEFAULT_SETTINGS, minimumBatteryPercent };
        let states: ConditionStates = INITIAL_CONDITIONS;
        let now = 0;
        for (const [gap, reading] of steps) {
          now += gap;
          const next = stepConditions(states, reading, settings, now);
          for (const name of names) {
            const rule = CONDITION_RULES[name];
            const [before, after] = [states[name], next[name]];
            // A stop waits for nothing but the condition's own definition (CPU busy: 30 s at critical).
            if (rule.enterAfterMs === 0 && rule.raw(reading, settings, before.active)) expect(after.active).toBe(true);
            if (before.active && !after.active) expect(now - before.lastTransitionAt).toBeGreaterThanOrEqual(rule.resumeDwellMs);
          }
          states = next;
        }
      }),
    );
  });

  it("never pauses for the battery while charging, at any level", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 90 }), (batteryPercent, minimumBatteryPercent) => {
        const reading: DeviceSignals = { charging: true, batteryPercent, pageVisible: undefined, userIdle: undefined, cpuPressure: undefined, hardwareCores: 4 };
        const states = stepConditions(INITIAL_CONDITIONS, reading, { ...DEFAULT_SETTINGS, minimumBatteryPercent }, 0);
        expect(states["battery-low"].active).toBe(false);
      }),
    );
  });
});
