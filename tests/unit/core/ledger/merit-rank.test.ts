import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MERIT_SCALE, meritRank, type TrustEdge } from "../../../../src/core/ledger/merit-rank.ts";

type E = TrustEdge<string>;
const edge = (from: string, to: string, weight = 1): E => ({ from, to, weight });

/** An admin, five honest members who invite and pay each other, and mallory's honest identity. */
function honestPool(): E[] {
  const honest = ["h1", "h2", "h3", "h4", "h5"];
  const edges: E[] = honest.map((h) => edge("admin", h));
  for (let i = 0; i < honest.length; i++) edges.push(edge(honest[i]!, honest[(i + 1) % honest.length]!, 10), edge(honest[i]!, honest[(i + 2) % honest.length]!, 10));
  edges.push(edge("admin", "mallory"), edge("h1", "mallory", 10), edge("mallory", "h2", 10));
  return edges;
}

/** mallory invites `n` Sybils that pay each other in a ring and are paid by mallory. */
function sybilFarm(n: number): E[] {
  const sybils = Array.from({ length: n }, (_, i) => `sybil${i}`);
  return sybils.flatMap((s, i) => [edge("mallory", s), edge("mallory", s, 10), edge(s, sybils[(i + 1) % n]!, 100), edge(s, "mallory", 1)]);
}

describe("meritRank", () => {
  it("gives a 50-identity Sybil farm under 0.2x its operator's own standing", () => {
    const scores = meritRank(["admin"], [...honestPool(), ...sybilFarm(50)]);
    const operator = scores.get("mallory")!;
    const farm = [...scores].filter(([node]) => node.startsWith("sybil")).reduce((sum, [, v]) => sum + v, 0);
    expect(operator).toBeGreaterThan(0);
    expect(farm).toBeLessThanOrEqual(0.2 * operator);
    // Each Sybil alone stands far below every honest member.
    const lowestHonest = Math.min(...["h1", "h2", "h3", "h4", "h5"].map((h) => scores.get(h)!));
    expect(Math.max(...[...scores].filter(([n]) => n.startsWith("sybil")).map(([, v]) => v))).toBeLessThan(lowestHonest / 10);
  });

  it("without the bridge decay the same farm would out-earn its operator (the decay is what holds)", () => {
    const scores = meritRank(["admin"], [...honestPool(), ...sybilFarm(50)], { bridgeDecayPermille: 0 });
    const farm = [...scores].filter(([node]) => node.startsWith("sybil")).reduce((sum, [, v]) => sum + v, 0);
    expect(farm).toBeGreaterThan(scores.get("mallory")!);
  });

  it("does not decay a member reachable from the admins along two independent paths", () => {
    const edges = [edge("admin", "a"), edge("admin", "b"), edge("a", "c"), edge("b", "c")];
    const decayed = meritRank(["admin"], edges);
    const plain = meritRank(["admin"], edges, { bridgeDecayPermille: 0 });
    expect(decayed.get("c")).toBe(plain.get("c"));
  });

  it("decays a member that only one non-admin vouches for, by 90%", () => {
    const edges = [edge("admin", "a"), edge("a", "b")];
    const decayed = meritRank(["admin"], edges);
    const plain = meritRank(["admin"], edges, { bridgeDecayPermille: 0 });
    expect(decayed.get("b")).toBe(Math.floor((plain.get("b")! * 100) / 1000));
    expect(decayed.get("a")).toBe(plain.get("a"));
  });

  it("computes a hand-checked chain: admin keeps 0.4, its one member gets 0.6 * 0.4, and so on", () => {
    const scores = meritRank(["admin"], [edge("admin", "a"), edge("admin", "b")], { bridgeDecayPermille: 0 });
    expect(scores.get("admin")).toBe(0.4 * MERIT_SCALE);
    expect(scores.get("a")).toBe(0.12 * MERIT_SCALE);
    expect(scores.get("b")).toBe(0.12 * MERIT_SCALE);
  });

  it("gives nothing to a node no admin reaches, and nothing at all without admins", () => {
    expect(meritRank(["admin"], [edge("admin", "a"), edge("x", "y")]).get("y")).toBeUndefined();
    expect(meritRank([], [edge("admin", "a")]).size).toBe(0);
  });

  it("ignores self-loops and non-positive or non-integer weights", () => {
    const clean = meritRank(["admin"], [edge("admin", "a")]);
    const noisy = meritRank(["admin"], [edge("admin", "a"), edge("a", "a", 50), edge("admin", "z", 0), edge("admin", "y", -3), edge("admin", "w", 0.5)]);
    expect(noisy).toEqual(clean);
  });

  it("is the same for any order of the same edges (the fold is order-independent)", () => {
    const edges = [...honestPool(), ...sybilFarm(5)];
    const reference = meritRank(["admin"], edges);
    fc.assert(
      fc.property(fc.shuffledSubarray(edges, { minLength: edges.length, maxLength: edges.length }), (shuffled) => {
        expect(meritRank(["admin"], shuffled)).toEqual(reference);
      }),
      { numRuns: 25 },
    );
  });
});
