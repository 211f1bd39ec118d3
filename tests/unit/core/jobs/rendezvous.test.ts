import { describe, expect, it } from "vitest";
import type { Did } from "../../../../src/core/identity/did-key.ts";
import { Competitors, rendezvousKey, rendezvousPosition, rendezvousRank } from "../../../../src/core/jobs/rendezvous.ts";
import type { EntryId } from "../../../../src/core/ledger/types.ts";

const jobId = (i: number) => `bafyreitestjob${i}` as EntryId;
const did = (i: number) => `did:key:z6Mk${String(i).padStart(6, "0")}` as Did;
const NONE = new Set<Did>();

describe("rendezvous order", () => {
  it("is a permutation of the list for every size (each rank taken exactly once)", () => {
    const key = rendezvousKey(jobId(1));
    for (const size of [1, 2, 3, 4, 5, 7, 16, 17, 100, 1000, 4097]) {
      const ranks = Array.from({ length: size }, (_, i) => rendezvousRank(key, size, i));
      expect(new Set(ranks).size).toBe(size);
      expect(Math.min(...ranks)).toBe(0);
      expect(Math.max(...ranks)).toBe(size - 1);
    }
  });

  it("gives each member the first rank about equally often across jobs", () => {
    const size = 20;
    const firsts = new Array<number>(size).fill(0);
    const jobs = 4000;
    for (let j = 0; j < jobs; j++) {
      const key = rendezvousKey(jobId(j));
      for (let i = 0; i < size; i++) if (rendezvousRank(key, size, i) === 0) firsts[i]!++;
    }
    // 200 expected per member; a binomial's 5 sigma is ~70.
    for (const count of firsts) expect(Math.abs(count - jobs / size)).toBeLessThan(70);
  });

  it("does not keep neighbours in the list together: two adjacent members share a wave no more than chance", () => {
    const size = 1000;
    let together = 0;
    const jobs = 3000;
    for (let j = 0; j < jobs; j++) {
      const key = rendezvousKey(jobId(j));
      if (Math.floor(rendezvousRank(key, size, 500) / 3) === Math.floor(rendezvousRank(key, size, 501) / 3)) together++;
    }
    // Chance: 2 / 999 per job, ~6 of 3000.
    expect(together).toBeLessThan(20);
  });

  it("finds the position that holds a rank (the inverse)", () => {
    const key = rendezvousKey(jobId(2));
    for (const size of [1, 3, 64, 1001]) for (let i = 0; i < size; i++) expect(rendezvousPosition(key, size, rendezvousRank(key, size, i))).toBe(i);
  });

  it("refuses a position outside the list", () => {
    const key = rendezvousKey(jobId(1));
    expect(() => rendezvousRank(key, 3, 3)).toThrow(RangeError);
    expect(() => rendezvousRank(key, 0, 0)).toThrow(RangeError);
    expect(() => rendezvousRank(key, 3, -1)).toThrow(RangeError);
  });
});

describe("competitors", () => {
  const members = Array.from({ length: 50 }, (_, i) => did(i));

  it("ranks the same whatever order the list came in, and every member differently", () => {
    const key = rendezvousKey(jobId(7));
    const a = new Competitors(members);
    const b = new Competitors([...members].reverse().concat(members.slice(0, 5)));
    const ranks = members.map((m) => a.rank(key, m, NONE));
    expect(members.map((m) => b.rank(key, m, NONE))).toEqual(ranks);
    expect(new Set(ranks).size).toBe(members.length);
  });

  it("leaves busy workers out, so the others' ranks stay distinct and dense", () => {
    const key = rendezvousKey(jobId(8));
    const busy = new Set([did(3), did(10), did(49)]);
    const competitors = new Competitors(members);
    const ranks = members.filter((m) => !busy.has(m)).map((m) => competitors.rank(key, m, busy)!);
    expect([...ranks].sort((x, y) => x - y)).toEqual(Array.from({ length: 47 }, (_, i) => i));
    expect(competitors.rank(key, did(3), busy)).toBeUndefined();
    for (const m of members.filter((m) => !busy.has(m))) expect(competitors.workerAt(key, competitors.rank(key, m, busy)!, competitors.busyPositions(busy))).toBe(m);
    expect(competitors.workerAt(key, 47, competitors.busyPositions(busy))).toBeUndefined();
  });

  it("counts a worker missing from the list as one more competitor", () => {
    const key = rendezvousKey(jobId(9));
    const without = new Competitors(members.filter((m) => m !== did(20)));
    const withIt = new Competitors(members);
    expect(without.rank(key, did(20), NONE)).toBe(withIt.rank(key, did(20), NONE));
  });
});
