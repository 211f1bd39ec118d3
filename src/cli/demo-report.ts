/**
 * What `edgepool demo` shows: the Mandelbrot tiles it submits and how they assemble into one
 * image, a progress bar, and the table of credits and reputation at the end.
 */
import { mandelbrotInput } from "../core/runtime/sample-inputs.ts";
import type { LedgerState } from "../core/ledger/state.ts";

export const IMAGE = { width: 384, height: 240, tilesX: 4, tilesY: 3, maxIterations: 300 } as const;
const VIEW = { xMin: -2.4, xMax: 1.0, yMin: -1.15, yMax: 1.15 };

export interface Tile {
  readonly x: number;
  readonly y: number;
  readonly input: Uint8Array;
}

/** The image cut into tiles, top row first; each tile's input is the task's 44-byte viewport. */
export function tiles(): Tile[] {
  const w = IMAGE.width / IMAGE.tilesX;
  const h = IMAGE.height / IMAGE.tilesY;
  const dx = (VIEW.xMax - VIEW.xMin) / IMAGE.tilesX;
  const dy = (VIEW.yMax - VIEW.yMin) / IMAGE.tilesY;
  const out: Tile[] = [];
  for (let y = 0; y < IMAGE.tilesY; y++) {
    for (let x = 0; x < IMAGE.tilesX; x++) {
      const yMax = VIEW.yMax - y * dy;
      const input = mandelbrotInput({ xMin: VIEW.xMin + x * dx, xMax: VIEW.xMin + (x + 1) * dx, yMin: yMax - dy, yMax, width: w, height: h, maxIterations: IMAGE.maxIterations });
      out.push({ x, y, input });
    }
  }
  return out;
}

/** Copies each tile's RGBA pixels into its place in the whole image (a missing tile stays transparent). */
export function assemble(parts: ReadonlyArray<{ tile: Tile; rgba: Uint8Array | undefined }>): Uint8Array {
  const w = IMAGE.width / IMAGE.tilesX;
  const h = IMAGE.height / IMAGE.tilesY;
  const image = new Uint8Array(IMAGE.width * IMAGE.height * 4);
  for (const { tile, rgba } of parts) {
    if (rgba?.length !== w * h * 4) continue;
    for (let row = 0; row < h; row++) image.set(rgba.subarray(row * w * 4, (row + 1) * w * 4), ((tile.y * h + row) * IMAGE.width + tile.x * w) * 4);
  }
  return image;
}

/** `[#########.........]  9/24 done, 1 failed` for a terminal's status line. */
export function progressBar(done: number, failed: number, total: number, width = 30): string {
  const filled = Math.round(((done + failed) / Math.max(1, total)) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(done).padStart(String(total).length)}/${total} done${failed ? `, ${failed} failed` : ""}`;
}

export interface Worker {
  readonly name: string;
  readonly did: string;
  readonly dishonest: boolean;
}

/** One row per worker: credits vested and vesting, reputation, agreements and disagreements. */
export function creditTable(state: LedgerState, workers: readonly Worker[]): string[] {
  const rows = workers.map((w) => {
    const account = state.accounts[w.did];
    const vesting = account?.grants.reduce((n, g) => n + g.amount, 0) ?? 0;
    const reputation = state.reputation[w.did];
    return [
      `${w.name}${w.dishonest ? " (dishonest)" : ""}`,
      String(account?.vested ?? 0),
      String(vesting),
      ((reputation?.milli ?? 0) / 1000).toFixed(2),
      String(reputation?.agreed ?? 0),
      String(reputation?.disagreed ?? 0),
    ];
  });
  const header = ["worker", "credits vested", "vesting", "reputation", "agreed", "disagreed"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [format(header), ...rows.map(format)];
}
