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
let started: Promise<{ scheduler: Scheduler; source: BrowserSignalSource }> | undefined;

function start() {
  started ??= (async () => {
    const source = await createBrowserSignals();
    const scheduler = createScheduler({ source, host: "browser", settings });
    signals = source.read();
    decision = scheduler.current();
    source.onChange(() => (signals = source.read()));
    scheduler.onDecision((next) => (decision = next));
    return { scheduler, source };
  })();
  return started;
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
    const timer = setInterval(() => void start().then(({ scheduler }) => (decision = scheduler.current())), SENTENCE_REFRESH_MS);
    return () => clearInterval(timer);
  },
  async update(patch: Partial<ContributionSettings>): Promise<SettingsUpdate> {
    const parsed = parseSettings({ ...settings, ...patch });
    if (!parsed.ok) return { ok: false, message: parsed.message };
    settings = parsed.settings;
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
    (await start()).scheduler.setSettings(settings);
    return { ok: true };
  },
  /** Asks for Idle Detection; call from a click (the browser requires a user gesture). */
  async enableIdleDetection(): Promise<IdleDetectionResult> {
    return (await start()).source.enableIdleDetection();
  },
  async pause(request: { forMs?: number; finishFirst?: boolean }): Promise<void> {
    (await start()).scheduler.pause(request);
  },
  async resume(): Promise<void> {
    (await start()).scheduler.resume();
  },
};
