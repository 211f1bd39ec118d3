import { describe, expect, it } from "vitest";
import { configWith, mergeOverrides } from "../../../src/sim/config.ts";
import { Rng } from "../../../src/sim/random.ts";
import { ArrivalClock, arrivalRate } from "../../../src/sim/tally.ts";
import { SATURATED } from "../../../src/sim/target-setting.ts";

/** The span of `count` arrivals from time 0, and whether each time is a whole ms, not before the last. */
function arrivals(nodes: number, count: number): { span: number; ordered: boolean } {
  const config = configWith(mergeOverrides(SATURATED, { nodes }));
  const clock = new ArrivalClock(config, new Rng(3), 0);
  let last = 0;
  let ordered = true;
  for (let i = 0; i < count; i++) {
    const at = clock.next();
    ordered &&= Number.isInteger(at) && at >= last;
    last = at;
  }
  return { span: last, ordered };
}

describe("job arrivals", () => {
  it("come at the offered rate in a 10,000-member pool, more than one a millisecond, at whole milliseconds", () => {
    const config = configWith(mergeOverrides(SATURATED, { nodes: 10_000 }));
    // The target setting offers ~1.35 jobs a millisecond here; gaps of at least 1 ms each would take ~1.6x as long.
    expect(arrivalRate(config)).toBeGreaterThan(1.3);
    const count = 100_000;
    const { span, ordered } = arrivals(10_000, count);
    expect(ordered).toBe(true);
    expect(span * arrivalRate(config)).toBeGreaterThan(count * 0.98);
    expect(span * arrivalRate(config)).toBeLessThan(count * 1.02);
  });

  it("come at the offered rate in a small pool too", () => {
    const config = configWith(mergeOverrides(SATURATED, { nodes: 40 }));
    const count = 20_000;
    const { span, ordered } = arrivals(40, count);
    expect(ordered).toBe(true);
    expect(span * arrivalRate(config)).toBeGreaterThan(count * 0.97);
    expect(span * arrivalRate(config)).toBeLessThan(count * 1.03);
  });
});
