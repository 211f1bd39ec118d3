/**
 * Device signals for the CLI worker in Node: AC power and battery from Linux's power-supply class
 * (https://www.kernel.org/doc/html/latest/power/power_supply_class.html), CPU load from the load
 * average, cores from os.availableParallelism(). Node has no event for these, so we poll and emit
 * only when the reading changes. There is no page and no portable idle signal: both stay unknown.
 */
import { readFile, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { DeviceSignals, PressureLevel, SignalSource } from "./signals.ts";
import { Listeners, normalisePercent, sameSignals, unknownSignals } from "./signals.ts";

export const LINUX_POWER_SUPPLY_ROOT = "/sys/class/power_supply";
/** Often enough that unplugging pauses within seconds; a few tiny reads, so cheap on a laptop. */
export const DEFAULT_POLL_MS = 5_000;

export interface PowerReading {
  readonly charging: boolean | undefined;
  readonly batteryPercent: number | undefined;
}

const UNREADABLE: PowerReading = { charging: undefined, batteryPercent: undefined };

async function readAttribute(dir: string, name: string): Promise<string | undefined> {
  try {
    return (await readFile(path.join(dir, name), "utf8")).trim();
  } catch {
    return undefined;
  }
}

interface Supply {
  readonly type: string | undefined;
  readonly online: string | undefined;
  readonly capacity: string | undefined;
  readonly status: string | undefined;
  readonly present: string | undefined;
  readonly scope: string | undefined;
}

async function readSupply(dir: string): Promise<Supply> {
  const [type, online, capacity, status, present, scope] = await Promise.all(
    ["type", "online", "capacity", "status", "present", "scope"].map((name) => readAttribute(dir, name)),
  );
  return { type, online, capacity, status, present, scope };
}

/** "Charging", "Full" and "Not charging" (held at a charge limit) all mean the charger is in. */
const ON_AC_STATUSES = new Set(["Charging", "Full", "Not charging"]);

function chargingFrom(acOnline: readonly string[], batteries: readonly Supply[]): boolean | undefined {
  if (acOnline.length > 0) return acOnline.includes("1") ? true : acOnline.every((v) => v === "0") ? false : undefined;
  const statuses = batteries.map((b) => b.status);
  if (statuses.some((s) => s !== undefined && ON_AC_STATUSES.has(s))) return true;
  return statuses.length > 0 && statuses.every((s) => s === "Discharging") ? false : undefined;
}

/** A capacity file holds a whole percentage; anything else (empty, garbage, 250) is not read. */
function parseLevel(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,3}$/.test(text)) return undefined;
  const level = Number(text);
  return level <= 100 ? level : undefined;
}

function meanCapacity(batteries: readonly Supply[]): number | undefined {
  const levels = batteries.map((b) => parseLevel(b.capacity)).filter((n): n is number => n !== undefined);
  return levels.length === 0 ? undefined : normalisePercent(levels.reduce((a, b) => a + b, 0) / levels.length);
}

/**
 * Reads AC and battery state from a power-supply directory. No directory (not Linux, or no sysfs):
 * unknown. A directory without a system battery: a desktop, which counts as on AC. Peripheral
 * batteries (scope "Device": a mouse, a headset) are not the machine's and are skipped.
 */
export async function readPowerSupply(root: string = LINUX_POWER_SUPPLY_ROOT): Promise<PowerReading> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return UNREADABLE;
  }
  const supplies = (await Promise.all(names.sort().map((name) => readSupply(path.join(root, name))))).filter((s) => s.scope !== "Device");
  const batteries = supplies.filter((s) => s.type === "Battery" && s.present !== "0");
  const acOnline = supplies.filter((s) => s.type !== "Battery" && s.online !== undefined).map((s) => s.online!);
  if (batteries.length === 0) return { charging: true, batteryPercent: undefined };
  return { charging: chargingFrom(acOnline, batteries), batteryPercent: meanCapacity(batteries) };
}

/**
 * Maps the 1-minute load average to the Compute Pressure levels, after taking away the load of our
 * own workers (each busy worker adds about 1), so our own work never reads as "the CPU is busy".
 */
export function pressureFromLoad(loadAverage: number, cores: number, ownLoad: number): PressureLevel {
  const others = Math.max(0, loadAverage - Math.max(0, ownLoad)) / Math.max(1, cores);
  if (others < 0.3) return "nominal";
  if (others < 0.6) return "fair";
  if (others < 0.9) return "serious";
  return "critical";
}

export interface NodeSignalsOptions {
  /** The power-supply directory; tests pass a directory of their own. */
  readonly powerSupplyRoot?: string;
  readonly pollMs?: number;
  /** How many of our workers are busy now (the Scheduler's decided count). */
  readonly ownLoad?: () => number;
  /** The 1-minute load average; os.loadavg() unless a test needs a machine quieter than this one. */
  readonly loadAverage?: () => number;
}

export interface NodeSignalSource extends SignalSource {
  /** Reads everything again now and emits if it changed (polling calls this too). */
  refresh(): Promise<void>;
}

export async function createNodeSignals(options: NodeSignalsOptions = {}): Promise<NodeSignalSource> {
  const listeners = new Listeners();
  const cores = os.availableParallelism();
  let signals = unknownSignals(cores);

  async function refresh(): Promise<void> {
    const power = await readPowerSupply(options.powerSupplyRoot);
    const load = options.loadAverage?.() ?? os.loadavg()[0] ?? 0;
    const cpuPressure = pressureFromLoad(load, cores, options.ownLoad?.() ?? 0);
    const next: DeviceSignals = { ...signals, ...power, cpuPressure };
    if (sameSignals(signals, next)) return;
    signals = next;
    listeners.emit();
  }

  await refresh();
  const timer = setInterval(() => void refresh(), options.pollMs ?? DEFAULT_POLL_MS);
  timer.unref();
  return {
    read: () => signals,
    onChange: (listener) => listeners.add(listener),
    refresh,
    close() {
      clearInterval(timer);
      listeners.clear();
    },
  };
}
