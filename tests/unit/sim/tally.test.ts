import { describe, expect, it } from "vitest";
import { configWith, mergeOverrides } from "../../../src/sim/config.ts";
import { Rng } from "../../../src/sim/random.ts";
import { ArrivalClock, arrivalRate } from "../../../src/sim/tally.ts";
import { SATURATED } from "../../../src/sim/target-setting.ts";

/** `count` arrivals from time 0 in the target setting: their number per the offered rate over their span, and whether each time is a whole ms, not before the last. */
function arrivals(nodes: number, count: number): { rate: number; offered: number; ordered: boolean } {
  const config = configWith(mergeOverrides(SATURATED, { nodes }));
  const clock = new ArrivalClock(config, new Rng(3), 0);
  let last = 0;
  let ordered = true;
  for (let i = 0; i < count; i++) {
    const at = clock.next();
    ordered &&= Number.isInteger(at) && at >= last;
    last = at;
  }
  const rate = arrivalRate(config);
  return { rate, offered: last * rate, ordered };
}

describe("job arrivals", () => {
  it("come at the offered rate in a 10,000-member pool, more than one a millisecond, at whole milliseconds", () => {
    const count = 100_000;
    const { rate, offered, ordered } = arrivals(10_000, count);
    // The target setting offers ~1.35 jobs a millisecond here; gaps of at least 1 ms each would take ~1.6x as long.
    expect(rate).toBeGreaterThan(1.3);
    expect(ordered).toBe(true);
    expect(offered).toBeGreaterThan(count * 0.98);
    expect(offered).toBeLessThan(count * 1.02);
  });

  it("come at the offered rate in a small pool too", () => {
    const count = 20_000;
    const { offered, ordered } = arrivals(40, count);
    expect(ordered).toBe(true);
    expect(offered).toBeGreaterThan(count * 0.97);
    expect(offered).toBeLessThan(count * 1.03);
  });
});
