import { describe, expect, it } from "vitest";
import { majorityWrongProbability } from "../../../src/sim/theory.ts";

describe("binomial prediction for majority voting", () => {
  it("matches hand-computed values", () => {
    // 3 p^2 (1-p) + p^3 at p = 0.2
    expect(majorityWrongProbability(3, 0.2)).toBeCloseTo(0.104, 12);
    // C(5,3) p^3 q^2 + C(5,4) p^4 q + p^5 at p = 0.3
    expect(majorityWrongProbability(5, 0.3)).toBeCloseTo(10 * 0.027 * 0.49 + 5 * 0.0081 * 0.7 + 0.00243, 12);
    expect(majorityWrongProbability(1, 0.4)).toBeCloseTo(0.4, 12);
    expect(majorityWrongProbability(9, 0.2)).toBeCloseTo(0.0196, 4);
  });

  it("is 0 without liars and 1 with only liars", () => {
    expect(majorityWrongProbability(3, 0)).toBe(0);
    expect(majorityWrongProbability(3, 1)).toBe(1);
  });
});
