/** The sample tasks: one row each, written into public/tasks/manifest.json by build.ts. */
export interface SampleTask {
  /** Source wasm-tasks/assembly/<name>.ts, output public/tasks/<name>.wasm. */
  readonly name: string;
  readonly description: string;
  readonly input: string;
  readonly output: string;
}

export const sampleTasks: readonly SampleTask[] = [
  {
    name: "sha256",
    description: "SHA-256 (FIPS 180-4) of the input",
    input: "any bytes",
    output: "the 32-byte digest",
  },
  {
    name: "mandelbrot",
    description: "Renders one tile of the Mandelbrot set (escape time, 16-colour palette)",
    input: "44 bytes little-endian: f64 xMin, f64 yMin, f64 xMax, f64 yMax, u32 width, u32 height (1..4096), u32 maxIterations (1..1000000)",
    output: "width*height RGBA pixels, rows from yMax down to yMin",
  },
  {
    name: "primes",
    description: "Counts the primes in [lo, hi) with a segmented sieve",
    input: "16 bytes little-endian: u64 lo, u64 hi, lo <= hi <= 2^40",
    output: "8 bytes: the count as a little-endian u64",
  },
  {
    name: "wordcount",
    description: "Word-count map step: counts each distinct word of a text",
    input: "UTF-8 text; a word is a run of ASCII letters, digits or non-ASCII bytes, ASCII letters lower-cased",
    output: "UTF-8 lines 'word<TAB>count<LF>' sorted by the words' bytes",
  },
];
