import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { compileTask, defaultLimits } from "../../../src/core/runtime/index.ts";
import { executeTask } from "../../../src/core/runtime/task-executor.ts";
import { TaskMemories } from "../../../src/core/runtime/task-memory.ts";
import { decodePrimeCount, mandelbrotInput, primeRangeInput } from "../../../src/core/runtime/sample-inputs.ts";
import type { MandelbrotTile } from "../../../src/core/runtime/sample-inputs.ts";
import { bytesToHex, utf8 } from "../../../src/core/crypto/index.ts";
import { mandelbrotReference, primeCountReference, sha256Reference, wordCountReference } from "../../../wasm-tasks/reference.ts";
import { sampleTaskBytes } from "../../fixtures/hostile-wasm/sample-tasks.ts";
import type { SampleTaskName } from "../../fixtures/hostile-wasm/sample-tasks.ts";

type Runner = (input: Uint8Array) => Uint8Array;
const runners = {} as Record<SampleTaskName, Runner>;

beforeAll(async () => {
  const memories = new TaskMemories();
  for (const name of ["sha256", "mandelbrot", "primes", "wordcount"] as const) {
    const loaded = await compileTask(sampleTaskBytes(name), defaultLimits);
    if (!loaded.ok) throw new Error(loaded.message);
    runners[name] = (input) => {
      const { module, minPages, maxPages } = loaded.task;
      const result = executeTask(module, input, { minPages, maxPages, maxOutputBytes: defaultLimits.maxOutputBytes }, memories);
      if (!result.ok) throw new Error(`${name}: ${result.reason}: ${result.message}`);
      return result.output;
    };
  }
});

describe("sha256 task", () => {
  it("matches FIPS 180-4 example 'abc' and the reference at every padding boundary", () => {
    expect(bytesToHex(runners.sha256(utf8("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 1000]) {
      const input = new Uint8Array(length).map((_, i) => i * 7);
      expect(runners.sha256(input)).toEqual(sha256Reference(input));
    }
  });

  it("equals the reference on any input", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (input) => {
      expect(runners.sha256(input)).toEqual(sha256Reference(input));
    }));
  });
});

describe("mandelbrot task", () => {
  const tiles: MandelbrotTile[] = [
    { xMin: -2, yMin: -1.25, xMax: 0.5, yMax: 1.25, width: 96, height: 64, maxIterations: 250 },
    { xMin: -0.7454, yMin: 0.1127, xMax: -0.7452, yMax: 0.1129, width: 40, height: 30, maxIterations: 2000 },
    { xMin: -1, yMin: -1, xMax: 1, yMax: 1, width: 1, height: 1, maxIterations: 1 },
  ];
  for (const tile of tiles) {
    it(`renders the same RGBA bytes as the reference for ${tile.width}x${tile.height} at (${tile.xMin}, ${tile.yMin})`, () => {
      const output = runners.mandelbrot(mandelbrotInput(tile));
      expect(output.length).toBe(tile.width * tile.height * 4);
      expect(output).toEqual(mandelbrotReference(tile));
    });
  }

  it("refuses a viewport that is empty or not finite", () => {
    const bad = { xMin: 1, yMin: 0, xMax: 1, yMax: 1, width: 4, height: 4, maxIterations: 10 };
    expect(() => runners.mandelbrot(mandelbrotInput(bad))).toThrow(/viewport must be finite with xMax > xMin/);
  });
});

describe("primes task", () => {
  it("counts known prime counts: pi(10^6) = 78498 and the primes in [10^9, 10^9 + 10^5)", () => {
    expect(decodePrimeCount(runners.primes(primeRangeInput(0n, 1_000_000n)))).toBe(78498n);
    expect(decodePrimeCount(runners.primes(primeRangeInput(1_000_000_000n, 1_000_100_000n)))).toBe(BigInt(primeCountReference(1e9, 1e9 + 1e5)));
  });

  it("equals the reference on any small range, including the edges 0, 1, 2 and empty ranges", () => {
    fc.assert(
      fc.property(fc.nat(20_000), fc.nat(3_000), (lo, span) => {
        expect(decodePrimeCount(runners.primes(primeRangeInput(BigInt(lo), BigInt(lo + span))))).toBe(BigInt(primeCountReference(lo, lo + span)));
      }),
    );
  });

  it("refuses hi above 2^40 or lo above hi", () => {
    expect(() => runners.primes(primeRangeInput(0n, 2n ** 40n + 1n))).toThrow(/need lo <= hi <= 2\^40/);
    expect(() => runners.primes(primeRangeInput(10n, 9n))).toThrow(/need lo <= hi/);
  });
});

describe("wordcount task", () => {
  it("counts words case-insensitively for ASCII and keeps UTF-8 words whole", () => {
    const output = runners.wordcount(utf8("The cat and the HAT; the café.\n42 cat"));
    expect(new TextDecoder().decode(output)).toBe("42\t1\nand\t1\ncafé\t1\ncat\t2\nhat\t1\nthe\t3\n");
  });

  it("equals the reference on any text", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "B", "c", "1", " ", "\n", ",", "é", "ß", "Z"), maxLength: 400 });
    fc.assert(fc.property(text, (s) => {
      expect(runners.wordcount(utf8(s))).toEqual(wordCountReference(utf8(s)));
    }));
  });
});
