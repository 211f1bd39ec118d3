import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { backoffDelay } from "../../../../src/core/net/backoff.ts";

const backoff = { initialMs: 500, maxMs: 30_000 };

describe("reconnection backoff", () => {
  it("doubles from the initial delay up to the cap (without jitter's share)", () => {
    const top = (attempt: number) => backoffDelay(attempt, backoff, () => 1);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(top)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it("spreads retries over the upper half of the window, never zero, never above the cap", () => {
    fc.assert(
      fc.property(fc.nat(1_000), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
        const delay = backoffDelay(attempt, backoff, () => r);
        return delay >= ceiling / 2 && delay <= ceiling && delay > 0;
      }),
    );
  });

  it("gives nodes that lost the relay together different delays", () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(4, backoff, Math.random)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
