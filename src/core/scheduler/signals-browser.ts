/**
 * Device signals in the browser, each from an API only where it exists (UX.md 5: Battery Status,
 * Idle Detection and Compute Pressure are Chromium-only). A missing API leaves its reading
 * undefined, and the policy says what that means instead of guessing.
 *
 * Idle Detection is read only once the user granted it: the permission prompt needs a user
 * gesture, so the UI calls `enableIdleDetection()` from a click, never we on our own.
 */
import { IDLE_AFTER_MS } from "./conditions.ts";
import type { DeviceSignals, PressureLevel, SignalSource } from "./signals.ts";
import { Listeners, PRESSURE_LEVELS, normalisePercent, unknownSignals } from "./signals.ts";

/** The parts of these APIs we use; TypeScript's DOM library does not declare them yet. */
interface BatteryManager extends EventTarget {
  readonly charging: boolean;
  readonly level: number;
}
interface IdleDetector extends EventTarget {
  readonly userState: "active" | "idle" | null;
  readonly screenState: "locked" | "unlocked" | null;
  start(options: { threshold: number; signal: AbortSignal }): Promise<void>;
}
interface IdleDetectorClass {
  new (): IdleDetector;
  requestPermission(): Promise<PermissionState>;
}
interface PressureRecord {
  readonly state: string;
}
interface PressureObserver {
  observe(source: "cpu", options?: { sampleInterval?: number }): Promise<void>;
  disconnect(): void;
}
type PressureObserverClass = new (callback: (records: PressureRecord[]) => void) => PressureObserver;

/** Where the adapter finds the platform; the real globals unless a host passes others. */
export interface BrowserEnvironment {
  readonly navigator: Navigator & { getBattery?: () => Promise<BatteryManager> };
  readonly document: Document;
  readonly IdleDetector: IdleDetectorClass | undefined;
  readonly PressureObserver: PressureObserverClass | undefined;
}

export function browserEnvironment(): BrowserEnvironment {
  const scope = globalThis as unknown as { IdleDetector?: IdleDetectorClass; PressureObserver?: PressureObserverClass };
  return { navigator, document, IdleDetector: scope.IdleDetector, PressureObserver: scope.PressureObserver };
}

export type IdleDetectionResult =
  | { ok: true }
  | { ok: false; reason: "unsupported" | "permission-denied" | "failed"; message: string };

export interface BrowserSignalSource extends SignalSource {
  /** Asks for the Idle Detection permission (call from a user gesture) and starts reading idle. */
  enableIdleDetection(): Promise<IdleDetectionResult>;
}

const isPressureLevel = (state: string): state is PressureLevel => (PRESSURE_LEVELS as readonly string[]).includes(state);

/** Each reading's wiring returns how to undo it. */
type Teardown = () => void;

export async function createBrowserSignals(env: BrowserEnvironment = browserEnvironment()): Promise<BrowserSignalSource> {
  const listeners = new Listeners();
  const teardowns: Teardown[] = [];
  let signals: DeviceSignals = unknownSignals(Math.max(1, env.navigator.hardwareConcurrency || 1));

  function set(patch: Partial<DeviceSignals>): void {
    const next = { ...signals, ...patch };
    if ((Object.keys(patch) as (keyof DeviceSignals)[]).every((key) => next[key] === signals[key])) return;
    signals = next;
    listeners.emit();
  }

  function listen(target: EventTarget, type: string, handler: () => void): void {
    target.addEventListener(type, handler);
    teardowns.push(() => target.removeEventListener(type, handler));
  }

  const readVisibility = () => set({ pageVisible: env.document.visibilityState === "visible" });
  readVisibility();
  listen(env.document, "visibilitychange", readVisibility);

  await watchBattery(env, set, listen);
  await watchPressure(env, set, teardowns);
  let idleStarted = false;

  async function startIdle(): Promise<IdleDetectionResult> {
    if (env.IdleDetector === undefined) return { ok: false, reason: "unsupported", message: "this browser has no Idle Detection" };
    if (idleStarted) return { ok: true };
    const detector = new env.IdleDetector();
    const controller = new AbortController();
    const readIdle = () => set({ userIdle: detector.userState === "idle" || detector.screenState === "locked" });
    try {
      await detector.start({ threshold: IDLE_AFTER_MS, signal: controller.signal });
    } catch (error) {
      return { ok: false, reason: "failed", message: `Idle Detection did not start: ${(error as Error).message}` };
    }
    idleStarted = true;
    listen(detector, "change", readIdle);
    teardowns.push(() => controller.abort());
    readIdle();
    return { ok: true };
  }

  // A permission granted on an earlier visit lets us read idle without asking again.
  if ((await queryIdlePermission(env)) === "granted") await startIdle();

  return {
    read: () => signals,
    onChange: (listener) => listeners.add(listener),
    async enableIdleDetection() {
      if (env.IdleDetector === undefined) return { ok: false, reason: "unsupported", message: "this browser has no Idle Detection; use `edgepool work` for unattended contribution" };
      const permission = await env.IdleDetector.requestPermission().catch(() => "denied" as const);
      if (permission !== "granted") return { ok: false, reason: "permission-denied", message: "idle detection was not allowed; allow it in the site settings to contribute only when idle" };
      return startIdle();
    },
    close() {
      for (const teardown of teardowns.splice(0)) teardown();
      listeners.clear();
    },
  };
}

async function watchBattery(env: BrowserEnvironment, set: (patch: Partial<DeviceSignals>) => void, listen: (t: EventTarget, type: string, h: () => void) => void): Promise<void> {
  if (typeof env.navigator.getBattery !== "function") return;
  let battery: BatteryManager;
  try {
    battery = await env.navigator.getBattery();
  } catch {
    return; // refused (e.g. by a permissions policy): stays unknown
  }
  const readBattery = () => set({ charging: battery.charging, batteryPercent: normalisePercent(battery.level * 100) });
  readBattery();
  listen(battery, "chargingchange", readBattery);
  listen(battery, "levelchange", readBattery);
}

async function watchPressure(env: BrowserEnvironment, set: (patch: Partial<DeviceSignals>) => void, teardowns: Teardown[]): Promise<void> {
  if (env.PressureObserver === undefined) return;
  const observer = new env.PressureObserver((records) => {
    const state = records.at(-1)?.state;
    if (state !== undefined && isPressureLevel(state)) set({ cpuPressure: state });
  });
  try {
    await observer.observe("cpu", { sampleInterval: 1000 });
    teardowns.push(() => observer.disconnect());
  } catch {
    observer.disconnect(); // the API exists but has no CPU source here: stays unknown
  }
}

async function queryIdlePermission(env: BrowserEnvironment): Promise<PermissionState | undefined> {
  if (env.IdleDetector === undefined || env.navigator.permissions === undefined) return undefined;
  try {
    return (await env.navigator.permissions.query({ name: "idle-detection" as PermissionName })).state;
  } catch {
    return undefined;
  }
}
