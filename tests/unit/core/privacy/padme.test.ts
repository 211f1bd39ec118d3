import { describe, expect, it } from "vitest";
import { isPadmeLength, padme } from "../../../../src/core/privacy/padme.ts";

describe("Padmé", () => {
  it("matches the paper's worked lengths", () => {
    // L = 9 (E = 3, S = 2): one low bit cleared -> 10; powers of two stay.
    expect(padme(9)).toBe(10);
    expect(padme(8)).toBe(8);
    expect(padme(1000)).toBe(1024);
    expect(padme(1025)).toBe(1088);
    expect(padme(0)).toBe(0);
    expect(padme(1)).toBe(1);
  });

  it("never shrinks, adds at most 12%, and is idempotent", () => {
    for (let n = 2; n < 1_000_000; n += 997) {
      const p = padme(n);
      expect(p).toBeGreaterThanOrEqual(n);
      expect(p / n).toBeLessThanOrEqual(1.12);
      expect(isPadmeLength(p)).toBe(true);
    }
  });
});
