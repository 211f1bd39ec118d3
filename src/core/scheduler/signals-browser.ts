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
import { Listeners, PRESSURE_LEVELS, normalisePercent, sameSignals, unknownSignals } from "./signals.ts";

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

/** What each reading needs: a way to update the signals, and to register what `close()` undoes. */
interface Wiring {
  set(patch: Partial<DeviceSignals>): void;
  listen(target: EventTarget, type: string, handler: () => void): void;
  onClose(teardown: () => void): void;
}

export async function createBrowserSignals(env: BrowserEnvironment = browserEnvironment()): Promise<BrowserSignalSource> {
  const listeners = new Listeners();
  const teardowns: (() => void)[] = [];
  let signals: DeviceSignals = unknownSignals(Math.max(1, env.navigator.hardwareConcurrency || 1));
  const wiring: Wiring = {
    set(patch) {
      const next = { ...signals, ...patch };
      if (sameSignals(signals, next)) return;
      signals = next;
      listeners.emit();
    },
    listen(target, type, handler) {
      target.addEventListener(type, handler);
      teardowns.push(() => target.removeEventListener(type, handler));
    },
    onClose: (teardown) => teardowns.push(teardown),
  };

  watchVisibility(env, wiring);
  await watchBattery(env, wiring);
  await watchPressure(env, wiring);
  const idle = idleReader(env, wiring);
  // A permission granted on an earlier visit lets us read idle without asking again.
  if ((await queryIdlePermission(env)) === "granted") await idle.start();

  return {
    read: () => signals,
    onChange: (listener) => listeners.add(listener),
    enableIdleDetection: () => idle.requestAndStart(),
    close() {
      for (const teardown of teardowns.splice(0)) teardown();
      listeners.clear();
    },
  };
}

function watchVisibility(env: BrowserEnvironment, wiring: Wiring): void {
  const readVisibility = () => wiring.set({ pageVisible: env.document.visibilityState === "visible" });
  readVisibility();
  wiring.listen(env.document, "visibilitychange", readVisibility);
}

async function watchBattery(env: BrowserEnvironment, wiring: Wiring): Promise<void> {
  if (typeof env.navigator.getBattery !== "function") return;
  let battery: BatteryManager;
  try {
    battery = await env.navigator.getBattery();
  } catch {
    return; // refused (e.g. by a permissions policy): stays unknown
  }
  const readBattery = () => wiring.set({ charging: battery.charging, batteryPercent: normalisePercent(battery.level * 100) });
  readBattery();
  wiring.listen(battery, "chargingchange", readBattery);
  wiring.listen(battery, "levelchange", readBattery);
}

async function watchPressure(env: BrowserEnvironment, wiring: Wiring): Promise<void> {
  if (env.PressureObserver === undefined) return;
  const observer = new env.PressureObserver((records) => {
    const state = records.at(-1)?.state;
    if (state !== undefined && isPressureLevel(state)) wiring.set({ cpuPressure: state });
  });
  try {
    await observer.observe("cpu", { sampleInterval: 1000 });
    wiring.onClose(() => observer.disconnect());
  } catch {
    observer.disconnect(); // the API exists but has no CPU source here: stays unknown
  }
}

const UNSUPPORTED: IdleDetectionResult = {
  ok: false,
  reason: "unsupported",
  message: "this browser has no Idle Detection; for unattended contribution, run `edgepool work` on a computer",
};

function idleReader(env: BrowserEnvironment, wiring: Wiring) {
  let started = false;
  async function start(): Promise<IdleDetectionResult> {
    if (env.IdleDetector === undefined) return UNSUPPORTED;
    if (started) return { ok: true };
    const detector = new env.IdleDetector();
    const controller = new AbortController();
    try {
      await detector.start({ threshold: IDLE_AFTER_MS, signal: controller.signal });
    } catch (error) {
      return { ok: false, reason: "failed", message: `Idle Detection did not start: ${(error as Error).message}` };
    }
    started = true;
    // A locked screen means nobody is at the device, whatever the input timer says.
    const readIdle = () => wiring.set({ userIdle: detector.userState === "idle" || detector.screenState === "locked" });
    readIdle();
    wiring.listen(detector, "change", readIdle);
    wiring.onClose(() => controller.abort());
    return { ok: true };
  }
  async function requestAndStart(): Promise<IdleDetectionResult> {
    if (env.IdleDetector === undefined) return UNSUPPORTED;
    const permission = await env.IdleDetector.requestPermission().catch(() => "denied" as const);
    if (permission !== "granted") {
      return { ok: false, reason: "permission-denied", message: "idle detection was not allowed; allow it in the site settings to contribute only when idle" };
    }
    return start();
  }
  return { start, requestAndStart };
}

async function queryIdlePermission(env: BrowserEnvironment): Promise<PermissionState | undefined> {
  if (env.IdleDetector === undefined || env.navigator.permissions === undefined) return undefined;
  try {
    return (await env.navigator.permissions.query({ name: "idle-detection" as PermissionName })).state;
  } catch {
    return undefined;
  }
}
