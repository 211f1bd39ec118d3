/**
 * "Try it" (UX.md 1): the built-in Mandelbrot task rendered on this device's own workers, with no
 * identity, pool or network. The image is split into horizontal bands, one task each, so every
 * worker has work and the picture fills in as bands finish.
 */
import { mandelbrotInput } from "../core/runtime/sample-inputs.ts";
import { fetchTaskModule, loadCatalogue } from "./task-catalogue.ts";
import { localRuntime, localWorkerCount } from "./local-runtime.svelte.ts";

export const IMAGE = { width: 480, height: 360, maxIterations: 400 } as const;
/** The classic view of the set, with the image's aspect ratio. */
const VIEW = { xMin: -2.3, xMax: 0.9, yMin: -1.2, yMax: 1.2 } as const;

export type TryItState =
  | { readonly status: "idle" }
  | { readonly status: "running"; readonly bandsDone: number; readonly bands: number; readonly workers: number }
  | { readonly status: "done"; readonly bands: number; readonly workers: number; readonly elapsedMs: number }
  | { readonly status: "error"; readonly message: string };

/** One finished band: `rgba` covers rows [y, y + height) of the image. */
export type BandListener = (y: number, height: number, rgba: Uint8Array) => void;

export function createTryIt(): { readonly current: TryItState; run(onBand: BandListener): Promise<void> } {
  let current = $state<TryItState>({ status: "idle" });

  async function run(onBand: BandListener): Promise<void> {
    if (current.status === "running") return;
    const started = performance.now();
    const workers = localWorkerCount();
    const bands = workers * 3;
    current = { status: "running", bandsDone: 0, bands, workers };
    const failure = await renderBands(bands, (y, height, rgba) => {
      onBand(y, height, rgba);
      if (current.status === "running") current = { ...current, bandsDone: current.bandsDone + 1 };
    });
    current = failure ? { status: "error", message: failure } : { status: "done", bands, workers, elapsedMs: performance.now() - started };
  }

  return {
    get current() {
      return current;
    },
    run,
  };
}

/** Renders the image in `bands` tasks; returns what went wrong, or undefined. */
async function renderBands(bands: number, onBand: BandListener): Promise<string | undefined> {
  const catalogue = await loadCatalogue();
  if (!catalogue.ok) return catalogue.message;
  const task = catalogue.tasks.find((t) => t.name === "mandelbrot");
  if (!task) return "this build has no Mandelbrot task; rebuild the app with `npm run build`";
  const module = await fetchTaskModule(task);
  if (!module.ok) return module.message;
  const loaded = await localRuntime.load(module.bytes);
  if (!loaded.ok) return `the Mandelbrot module was refused: ${loaded.message}`;
  const rowsPerBand = Math.ceil(IMAGE.height / bands);
  const yStep = (VIEW.yMax - VIEW.yMin) / IMAGE.height;
  const results = await Promise.all(
    Array.from({ length: bands }, async (_, band) => {
      const top = band * rowsPerBand;
      const height = Math.min(rowsPerBand, IMAGE.height - top);
      // Rows run from yMax down, so band 0 is the top of the picture.
      const input = mandelbrotInput({
        xMin: VIEW.xMin,
        xMax: VIEW.xMax,
        yMax: VIEW.yMax - top * yStep,
        yMin: VIEW.yMax - (top + height) * yStep,
        width: IMAGE.width,
        height,
        maxIterations: IMAGE.maxIterations,
      });
      const result = await localRuntime.run(loaded.task, input);
      if (!result.ok) return `a band failed (${result.reason}): ${result.message}`;
      onBand(top, height, result.output);
      return undefined;
    }),
  );
  return results.find((r) => r !== undefined);
}
