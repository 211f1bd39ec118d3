/**
 * Reference implementations of the sample tasks in TypeScript, written from the task formats
 * (wasm-tasks/tasks.ts), not from the AssemblyScript sources. Tests require byte-equal outputs.
 */
import { concatBytes, sha256, utf8 } from "../src/core/crypto/index.ts";
import type { MandelbrotTile } from "../src/core/runtime/sample-inputs.ts";

export const sha256Reference = (input: Uint8Array): Uint8Array => sha256(input);

const PALETTE = [
  [66, 30, 15], [25, 7, 26], [9, 1, 47], [4, 4, 73], [0, 7, 100], [12, 44, 138], [24, 82, 177], [57, 125, 209],
  [134, 181, 229], [211, 236, 248], [241, 233, 191], [248, 201, 95], [255, 170, 0], [204, 128, 0], [153, 87, 0], [106, 52, 3],
] as const;

export function mandelbrotReference(tile: MandelbrotTile): Uint8Array {
  const { xMin, yMin, xMax, yMax, width, height, maxIterations } = tile;
  const out = new Uint8Array(width * height * 4);
  const dx = (xMax - xMin) / width;
  const dy = (yMax - yMin) / height;
  for (let py = 0; py < height; py++) {
    const cy = yMax - (py + 0.5) * dy;
    for (let px = 0; px < width; px++) {
      const cx = xMin + (px + 0.5) * dx;
      let zr = 0;
      let zi = 0;
      let i = 0;
      for (; i < maxIterations; i++) {
        const zr2 = zr * zr;
        const zi2 = zi * zi;
        if (zr2 + zi2 > 4) break;
        zi = 2 * zr * zi + cy;
        zr = zr2 - zi2 + cx;
      }
      const [r, g, b] = i === maxIterations ? [0, 0, 0] : PALETTE[i % 16]!;
      out.set([r, g, b, 255], (py * width + px) * 4);
    }
  }
  return out;
}

/** Counts primes in [lo, hi) by trial division over a sieve of the base primes. */
export function primeCountReference(lo: number, hi: number): number {
  const root = Math.floor(Math.sqrt(Math.max(hi - 1, 0)));
  const composite = new Uint8Array(root + 1);
  const base: number[] = [];
  for (let p = 2; p <= root; p++) {
    if (composite[p]) continue;
    base.push(p);
    for (let m = p * p; m <= root; m += p) composite[m] = 1;
  }
  let count = 0;
  for (let n = Math.max(lo, 2); n < hi; n++) {
    if (base.every((p) => p * p > n || n % p !== 0)) count++;
  }
  return count;
}

const isWordByte = (b: number): boolean => (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b >= 0x80;

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function wordCountReference(text: Uint8Array): Uint8Array {
  const lower = text.map((b) => (b >= 0x41 && b <= 0x5a ? b + 32 : b));
  const counts = new Map<string, { word: Uint8Array; count: number }>();
  let i = 0;
  while (i < lower.length) {
    if (!isWordByte(lower[i]!)) {
      i++;
      continue;
    }
    const start = i;
    while (i < lower.length && isWordByte(lower[i]!)) i++;
    const word = lower.subarray(start, i);
    const key = word.join(",");
    const entry = counts.get(key) ?? { word, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  const lines = [...counts.values()].sort((a, b) => compareBytes(a.word, b.word));
  return concatBytes(...lines.flatMap(({ word, count }) => [word, utf8(`\t${count}\n`)]));
}
