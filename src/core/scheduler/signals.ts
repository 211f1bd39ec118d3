/**
 * What the device tells us, normalised across platforms. `undefined` always means "this platform
 * cannot read it" (UX.md 5), never "false": the policy treats an unknown reading differently from a
 * known one, and says so.
 */

/** The Compute Pressure API's states, in increasing order; Node maps its load average onto them. */
export const PRESSURE_LEVELS = ["nominal", "fair", "serious", "critical"] as const;
export type PressureLevel = (typeof PRESSURE_LEVELS)[number];

export interface DeviceSignals {
  /** On AC power (or a machine with no battery). */
  readonly charging: boolean | undefined;
  /** Battery charge in percent, 0–100; undefined without a readable battery. */
  readonly batteryPercent: number | undefined;
  /** Whether our page is visible; undefined where there is no page (the CLI worker). */
  readonly pageVisible: boolean | undefined;
  /** True once the platform has seen no input for IDLE_AFTER_MS; undefined when it cannot tell. */
  readonly userIdle: boolean | undefined;
  /** CPU pressure from everything but our own workers where the platform can separate them. */
  readonly cpuPressure: PressureLevel | undefined;
  /** Logical cores the platform reports (at least 1). */
  readonly hardwareCores: number;
}

/** A platform where nothing can be read: the starting point every adapter fills in. */
export function unknownSignals(hardwareCores: number): DeviceSignals {
  return { charging: undefined, batteryPercent: undefined, pageVisible: undefined, userIdle: undefined, cpuPressure: undefined, hardwareCores };
}

/**
 * The contract every signal adapter implements: a current reading and a change event, so the
 * policy re-evaluates the moment something changes instead of on a poll of its own.
 */
export interface SignalSource {
  read(): DeviceSignals;
  /** Calls `listener` after every change of the reading; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** Releases listeners and timers the adapter holds. */
  close(): void;
}

export function pressureAtLeast(level: PressureLevel | undefined, threshold: PressureLevel): boolean {
  return level !== undefined && PRESSURE_LEVELS.indexOf(level) >= PRESSURE_LEVELS.indexOf(threshold);
}

export function sameSignals(a: DeviceSignals, b: DeviceSignals): boolean {
  return (Object.keys(a) as (keyof DeviceSignals)[]).every((key) => a[key] === b[key]);
}

/** Clamps a hostile or rounded battery reading into 0–100 (undefined stays unknown). */
export function normalisePercent(value: number | undefined): number | undefined {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return Math.min(100, Math.max(0, Math.round(value)));
}

/** A small listener set shared by the adapters (and the Scheduler) so none re-implements it. */
export class Listeners<T extends unknown[] = []> {
  readonly #listeners = new Set<(...args: T) => void>();

  add(listener: (...args: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(...args: T): void {
    for (const listener of [...this.#listeners]) listener(...args);
  }

  clear(): void {
    this.#listeners.clear();
  }
}
