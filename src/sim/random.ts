/**
 * Seeded randomness for the simulator. Everything that reaches the real fold (entry times, salts,
 * who claims what) must be identical on every engine for a given seed, so the generator is 32-bit
 * integer arithmetic (sfc32, seeded by splitmix32) and the only real-valued functions are built
 * from + - * / (IEEE 754 rounds those exactly the same everywhere; Math.log and Math.exp are not
 * specified to the last bit). Durations leave this module as whole milliseconds.
 */

/** A small fast generator with a 128-bit state (Chris Doty-Humphrey's sfc32). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      // splitmix32: spreads a small seed over the whole state.
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform number in (0, 1]: never 0, so its logarithm is finite. */
  unit(): number {
    return (this.uint32() + 1) / 4294967296;
  }

  /** A uniform integer in 0..n-1 (n up to 2^32; the bias is below n / 2^32). */
  below(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1 || n > 4294967296) throw new RangeError(`below(n) needs an integer 1..2^32, got ${n}`);
    return Math.floor((this.uint32() / 4294967296) * n);
  }

  /** True with probability `p` (0..1). */
  chance(p: number): boolean {
    return p > 0 && this.uint32() / 4294967296 < p;
  }

  /** Fills `length` bytes. */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const word = this.uint32();
      for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** An independent generator for one purpose, derived from this one (so adding a purpose does not shift the others). */
  fork(): Rng {
    return new Rng(this.uint32() ^ 0x5bd1e995);
  }
}

const LN2 = 0.6931471805599453;

/** ln(x) for x > 0, from + - * / only: x = m * 2^e with m in [1, 2), then 2*atanh((m-1)/(m+1)). */
export function ln(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`ln(x) needs a finite x > 0, got ${x}`);
  let m = x;
  let e = 0;
  while (m >= 2) {
    m /= 2;
    e++;
  }
  while (m < 1) {
    m *= 2;
    e--;
  }
  const z = (m - 1) / (m + 1);
  const z2 = z * z;
  let term = z;
  let sum = 0;
  // z <= 1/3, so 24 terms put the error below 1e-23.
  for (let i = 0; i < 24; i++) {
    sum += term / (2 * i + 1);
    term *= z2;
  }
  return 2 * sum + e * LN2;
}

/** e^y from + - * / only: y = n ln2 + r with |r| <= ln2/2, a Taylor series for e^r, then 2^n. */
export function exp(y: number): number {
  if (!Number.isFinite(y)) throw new RangeError(`exp(y) needs a finite y, got ${y}`);
  if (y > 700) return Infinity;
  if (y < -700) return 0;
  const n = Math.round(y / LN2);
  const r = y - n * LN2;
  let term = 1;
  let sum = 1;
  for (let i = 1; i < 24; i++) {
    term = (term * r) / i;
    sum += term;
  }
  let scale = 1;
  for (let i = 0; i < Math.abs(n); i++) scale *= 2;
  return n >= 0 ? sum * scale : sum / scale;
}

/** A distribution of durations in ms. */
export type Distribution =
  | { readonly kind: "fixed"; readonly value: number }
  | { readonly kind: "uniform"; readonly min: number; readonly max: number }
  | { readonly kind: "exp"; readonly mean: number }
  /** Heavy-tailed (volunteer hosts' session lengths are): P(X > x) = (min/x)^alpha. */
  | { readonly kind: "pareto"; readonly min: number; readonly alpha: number };

/** One draw, exact (a fraction of a millisecond where the distribution gives one). */
export function draw(rng: Rng, dist: Distribution): number {
  switch (dist.kind) {
    case "fixed":
      return dist.value;
    case "uniform":
      return dist.min + (dist.max - dist.min) * (rng.uint32() / 4294967296);
    case "exp":
      return -dist.mean * ln(rng.unit());
    case "pareto":
      return dist.min * exp(-ln(rng.unit()) / dist.alpha);
  }
}

/** One draw, rounded to a whole millisecond (at least 1). */
export function sample(rng: Rng, dist: Distribution): number {
  return Math.max(1, Math.round(Math.min(draw(rng, dist), 1e12)));
}

/** The distribution's mean in ms (Infinity for a Pareto with alpha <= 1). */
export function meanOf(dist: Distribution): number {
  switch (dist.kind) {
    case "fixed":
      return dist.value;
    case "uniform":
      return (dist.min + dist.max) / 2;
    case "exp":
      return dist.mean;
    case "pareto":
      return dist.alpha > 1 ? (dist.alpha * dist.min) / (dist.alpha - 1) : Infinity;
  }
}

/** The same distribution scaled to a new mean (used to derive offline gaps from an availability). */
export function withMean(dist: Distribution, mean: number): Distribution {
  const factor = mean / meanOf(dist);
  switch (dist.kind) {
    case "fixed":
      return { kind: "fixed", value: mean };
    case "uniform":
      return { kind: "uniform", min: dist.min * factor, max: dist.max * factor };
    case "exp":
      return { kind: "exp", mean };
    case "pareto":
      return Number.isFinite(factor) ? { kind: "pareto", min: dist.min * factor, alpha: dist.alpha } : dist;
  }
}

export type ParsedDistribution = { ok: true; dist: Distribution } | { ok: false; message: string };

const DIST_FORMS = "exp:MEAN, pareto:MIN:ALPHA, uniform:MIN:MAX or fixed:VALUE (durations in seconds)";

/** Parses `exp:3600`, `pareto:600:1.5`, `uniform:10:60`, `fixed:30` (durations in seconds). */
export function parseDistribution(text: string): ParsedDistribution {
  const [kind, ...rest] = text.split(":");
  const nums = rest.map(Number);
  const bad = (why: string): ParsedDistribution => ({ ok: false, message: `bad distribution ${JSON.stringify(text)}: ${why}; use ${DIST_FORMS}` });
  if (nums.some((n) => !Number.isFinite(n) || n <= 0)) return bad("every number must be positive");
  const s = (n: number): number => n * 1000;
  if (kind === "fixed" && nums.length === 1) return { ok: true, dist: { kind, value: s(nums[0]!) } };
  if (kind === "exp" && nums.length === 1) return { ok: true, dist: { kind, mean: s(nums[0]!) } };
  if (kind === "uniform" && nums.length === 2 && nums[0]! <= nums[1]!) return { ok: true, dist: { kind, min: s(nums[0]!), max: s(nums[1]!) } };
  if (kind === "pareto" && nums.length === 2) return { ok: true, dist: { kind, min: s(nums[0]!), alpha: nums[1]! } };
  return bad("unknown form");
}
