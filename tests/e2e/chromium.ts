/**
 * Launches Debian's Chromium through playwright-core with a fresh profile per session, so tests
 * never share IndexedDB, service workers or caches. Pass `userDataDir` to reopen a profile (a
 * browser restart); a profile this helper created is deleted on close.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
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

export interface BrowserSession {
  readonly context: BrowserContext;
  readonly userDataDir: string;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Reopen this profile instead of a fresh one (kept on close). */
  readonly userDataDir?: string;
  /** Extra Chromium flags, e.g. `--disable-blink-features=...`. */
  readonly args?: readonly string[];
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
