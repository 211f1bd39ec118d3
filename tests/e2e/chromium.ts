/**
 * Launches Debian's Chromium through playwright-core. `launchChromium` gives a browser of its own
 * with a fresh profile per session, so tests never share IndexedDB, service workers or caches; pass
 * `userDataDir` to reopen a profile (a browser restart); a profile this helper created is deleted on
 * close. `launchBrowser` gives one browser whose sessions are separate contexts (each its own
 * storage, service workers and caches, as separate profiles would be), for tests about several
 * people that never restart a browser: one Chromium per test file instead of one per person.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM_PATH } from "./ensure-chromium.ts";

/** Headless, and quiet: no update checks, sync or other traffic a test did not ask for. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface ContextSession {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface BrowserSession extends ContextSession {
  readonly userDataDir: string;
}

/** One Chromium whose sessions are separate contexts; `close` ends them all. */
export interface SharedBrowser {
  newSession(): Promise<ContextSession>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Reopen this profile instead of a fresh one (kept on close). */
  readonly userDataDir?: string;
  /** Extra Chromium flags, e.g. `--disable-blink-features=...`. */
  readonly args?: readonly string[];
}

export async function launchBrowser(options: Pick<LaunchOptions, "args"> = {}): Promise<SharedBrowser> {
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...(options.args ?? [])] });
  return {
    async newSession() {
      const context = await browser.newContext();
      return { context, newPage: () => context.newPage(), close: () => context.close() };
    },
    close: () => browser.close(),
  };
}

export async function launchChromium(options: LaunchOptions = {}): Promise<BrowserSession> {
  const ownsProfile = options.userDataDir === undefined;
  const userDataDir = options.userDataDir ?? (await mkdtemp(join(tmpdir(), "edgepool-chromium-")));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    });
  } catch (error) {
    if (ownsProfile) await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    userDataDir,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      if (ownsProfile) await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
