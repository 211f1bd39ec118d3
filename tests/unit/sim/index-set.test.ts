import { describe, expect, it } from "vitest";
import { IndexSet } from "../../../src/sim/index-set.ts";

describe("IndexSet", () => {
  it("walks its indices in ascending order whatever order they came in, across word boundaries", () => {
    const set = new IndexSet();
    for (const index of [4_000, 31, 0, 32, 63, 64, 5, 31, 2_047]) set.add(index);
    expect([...set]).toEqual([0, 5, 31, 32, 63, 64, 2_047, 4_000]);
    expect(set.size).toBe(8);
    expect(set.has(31)).toBe(true);
    expect(set.has(30)).toBe(false);
    expect(set.has(1_000_000)).toBe(false);
  });

  it("takes back an index below the ones left after a walk passed emptied words", () => {
    const set = new IndexSet();
    for (let index = 0; index < 200; index++) set.add(index);
    for (let index = 0; index < 190; index++) expect(set.delete(index)).toBe(true);
    expect(set.delete(0)).toBe(false);
    expect([...set]).toEqual([190, 191, 192, 193, 194, 195, 196, 197, 198, 199]);
    set.add(3);
    expect([...set].slice(0, 2)).toEqual([3, 190]);
    expect(set.size).toBe(11);
  });

  it("sees indices added ahead of a walk and skips those deleted ahead of it", () => {
    const set = new IndexSet();
    for (const index of [1, 10, 40, 100]) set.add(index);
    const seen: number[] = [];
    for (const index of set) {
      seen.push(index);
      if (index === 1) {
        set.delete(40);
        set.add(70);
        set.add(0);
      }
    }
    expect(seen).toEqual([1, 10, 70, 100]);
    expect([...set]).toEqual([0, 1, 10, 70, 100]);
  });

  it("refuses an index that is not a non-negative integer", () => {
    const set = new IndexSet();
    expect(() => set.add(-1)).toThrow(RangeError);
    expect(() => set.add(1.5)).toThrow(RangeError);
  });
});
