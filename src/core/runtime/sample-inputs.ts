/**
 * Input encoders for the sample tasks in public/tasks (formats in their manifest and
 * wasm-tasks/README.md), for the app's "Try it", the CLI, tests and benchmarks.
 */

export interface MandelbrotTile {
  readonly xMin: number;
  readonly yMin: number;
  readonly xMax: number;
  readonly yMax: number;
  readonly width: number;
  readonly height: number;
  readonly maxIterations: number;
}

export function mandelbrotInput(tile: MandelbrotTile): Uint8Array {
  const view = new DataView(new ArrayBuffer(44));
  [tile.xMin, tile.yMin, tile.xMax, tile.yMax].forEach((v, i) => view.setFloat64(i * 8, v, true));
  [tile.width, tile.height, tile.maxIterations].forEach((v, i) => view.setUint32(32 + i * 4, v, true));
  return new Uint8Array(view.buffer);
}

/** Primes in [lo, hi); both must fit a u64 (the task itself accepts hi <= 2^40). */
export function primeRangeInput(lo: bigint, hi: bigint): Uint8Array {
  const view = new DataView(new ArrayBuffer(16));
  view.setBigUint64(0, lo, true);
  view.setBigUint64(8, hi, true);
  return new Uint8Array(view.buffer);
}

export function decodePrimeCount(output: Uint8Array): bigint {
  if (output.length !== 8) throw new RangeError(`a prime count is 8 bytes, got ${output.length}`);
  return new DataView(output.buffer, output.byteOffset, 8).getBigUint64(0, true);
}
