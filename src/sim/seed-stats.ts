/**
 * Figures over several seeds, as the generated sections of docs/simulation.md show them: the mean
 * with one standard deviation, and whether a goal was met.
 */

export function meanSpread(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
  return { mean, sd };
}

/** "mean ± sd" of `values` times `scale`. */
export const cell = (values: readonly number[], scale = 1, digits = 3): string => {
  const { mean, sd } = meanSpread(values.map((v) => v * scale));
  return `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`;
};

/** The mean over runs of one figure of each run. */
export const meanOf = <T>(runs: readonly T[]) => (f: (x: T) => number): number => meanSpread(runs.map(f)).mean;

export const verdict = (met: boolean | undefined): string => (met === undefined ? "—" : met ? "met" : "**not met**");
