/**
 * This device's contribution as the Contribute screen shows it: the user's settings (kept in
 * localStorage, checked by the scheduler's own parser), the browser's device signals, and the
 * scheduler's live decision with its one-sentence reason (UX.md 2). The policy and its wording
 * live in src/core/scheduler; this module only adapts them to runes, once per page.
 */
import {
  createScheduler,
  DEFAULT_SETTINGS,
  parseSettings,
  type ContributionSettings,
  type Decision,
  type DeviceSignals,
  type Scheduler,
} from "../core/scheduler/index.ts";
import { createBrowserSignals, type BrowserSignalSource, type IdleDetectionResult } from "../core/scheduler/signals-browser.ts";

const SETTINGS_KEY = "edgepool.contribute.settings";
/** The sentence carries countdowns ("in 42 min"); refresh it this often while the screen shows it. */
const SENTENCE_REFRESH_MS = 10_000;

function storedSettings(): ContributionSettings {
  try {
    const parsed = parseSettings(JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? "{}"));
    return parsed.ok ? parsed.settings : DEFAULT_SETTINGS;
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export type SettingsUpdate = { ok: true } | { ok: false; message: string };

let settings = $state<ContributionSettings>(storedSettings());
let decision = $state<Decision | undefined>();
let signals = $state<DeviceSignals | undefined>();
let started: Promise<{ source: BrowserSignalSource }> | undefined;
let scheduler: Scheduler | undefined;
let unsubscribe: (() => void) | undefined;

/** Follows `next`'s decisions from now on (the standalone one at first, a pool node's once one runs). */
function follow(next: Scheduler): void {
  unsubscribe?.();
  scheduler = next;
  next.setSettings(settings);
  decision = next.current();
  unsubscribe = next.onDecision((d) => (decision = d));
}

function start() {
  started ??= (async () => {
    const source = await createBrowserSignals();
    signals = source.read();
    source.onChange(() => (signals = source.read()));
    // Before any pool node runs, a scheduler of our own still answers "would this device work now, and why not?".
    follow(createScheduler({ source, host: "browser", settings }));
    return { source };
  })();
  return started;
}

async function current(): Promise<Scheduler> {
  await start();
  return scheduler!;
}

export const contribution = {
  get settings(): ContributionSettings {
    return settings;
  },
  get decision(): Decision | undefined {
    return decision;
  },
  get signals(): DeviceSignals | undefined {
    return signals;
  },
  /** Starts reading the device and deciding; returns the stop of the sentence refresh. */
  watch(): () => void {
    void start();
    const timer = setInterval(() => void current().then((s) => (decision = s.current())), SENTENCE_REFRESH_MS);
    return () => clearInterval(timer);
  },
  async update(patch: Partial<ContributionSettings>): Promise<SettingsUpdate> {
    const parsed = parseSettings({ ...settings, ...patch });
    if (!parsed.ok) return { ok: false, message: parsed.message };
    settings = parsed.settings;
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
    (await current()).setSettings(settings);
    return { ok: true };
  },
  /** Asks for Idle Detection; call from a click (the browser requires a user gesture). */
  async enableIdleDetection(): Promise<IdleDetectionResult> {
    return (await start()).source.enableIdleDetection();
  },
  /** The device signals, for a pool node's own scheduler. */
  async signalSource(): Promise<BrowserSignalSource> {
    return (await start()).source;
  },
  /** A pool node now decides; its scheduler replaces the standalone one (which stops). */
  async adopt(next: Scheduler): Promise<void> {
    const previous = await current();
    follow(next);
    if (previous !== next) previous.close();
  },
  async pause(request: { forMs?: number; finishFirst?: boolean }): Promise<void> {
    (await current()).pause(request);
  },
  async resume(): Promise<void> {
    (await current()).resume();
  },
};
