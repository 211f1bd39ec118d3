/**
 * Helpers for the app's browser tests: open a screen, wait for the service worker to control the
 * page (the offline tests need it), check a screen's accessibility and save screenshots at a phone
 * and a desktop width under tests/e2e/screenshots/ for a person to look at.
 */
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { expectAccessible } from "./axe.ts";
import { startAppServer, type AppServer } from "./app-server.ts";
import { launchBrowser, type ContextSession, type SharedBrowser } from "./chromium.ts";

const SCREENSHOTS = new URL("./screenshots/", import.meta.url);
const WIDTHS = { phone: { width: 360, height: 780 }, desktop: { width: 1100, height: 800 } } as const;

export interface AppFixture {
  /** `edgepool serve` of the production build, started before the file's tests. */
  readonly server: AppServer;
  /** A person: a fresh browser context (its own storage, so a fresh identity) with one page. */
  person(): Promise<{ page: Page; session: ContextSession }>;
}

/**
 * Starts the server before the file's tests; closes the file's one browser (every person's context
 * in it) and the server after them.
 */
export function appFixture(): AppFixture {
  let server: AppServer | undefined;
  let browser: Promise<SharedBrowser> | undefined;
  beforeAll(async () => {
    server = await startAppServer();
  });
  afterAll(async () => {
    await (await browser)?.close();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error("the app server starts in beforeAll");
      return server;
    },
    async person() {
      // Chromium's Compute Pressure reads the whole machine: on a shared, loaded test machine it
      // pauses contribution ("the CPU is busy with other programs"), as it should for a person.
      // These tests are about pools and jobs, so the page runs without that API (the scheduler then
      // treats CPU pressure as unknown); the pressure rule has its own tests (tests/unit/core/scheduler).
      browser ??= launchBrowser({ args: ["--disable-blink-features=ComputePressure"] });
      const session = await (await browser).newSession();
      return { session, page: await session.newPage() };
    },
  };
}

export async function openScreen(page: Page, appUrl: string, screen: string): Promise<void> {
  await page.goto(`${appUrl}#/${screen}`);
  // A change of fragment alone keeps the document: wait for the new screen, not the old one's heading.
  await page.locator(`main[data-screen="${screen}"] #screen-heading`).waitFor({ timeout: 15_000 });
}

/**
 * Every key in the app's IndexedDB database of documents and keys (browser-repo.ts, app-storage.ts),
 * each an array of strings (a string to evaluate: tsx's helpers do not exist in the page).
 */
export const appDatabaseKeys = (page: Page): Promise<string[][]> =>
  page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open("edgepool-automerge");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const keys = open.result.transaction("documents").objectStore("documents").getAllKeys();
      keys.onerror = () => reject(keys.error);
      keys.onsuccess = () => resolve(keys.result.map((key) => key.map(String)));
    };
  })`);

/** Resolves once a service worker is active and controls this page. */
export async function controlledByServiceWorker(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener("controllerchange", () => resolve(), { once: true }));
    }
    return registration.active?.scriptURL ?? "";
  });
}

/** Checks the screen with axe-core (both themes), then saves its screenshots. */
export async function checkScreen(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  await screenshots(page, name);
}

/** Saves `<name>-phone.png`, `<name>-desktop.png` and `<name>-dark.png` (desktop, dark theme), then leaves the desktop size, light. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const save = (label: string) => page.screenshot({ path: new URL(`${name}-${label}.png`, SCREENSHOTS).pathname, fullPage: true });
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    await save(label);
  }
  await page.emulateMedia({ colorScheme: "dark" });
  await save("dark");
  await page.emulateMedia({ colorScheme: "light" });
}

/** Creates a pool on the Pools screen that syncs through `relayUrl`; resolves once it shows. */
export async function createPool(page: Page, appUrl: string, relayUrl: string, name: string, devicesPerJob: number): Promise<void> {
  await openScreen(page, appUrl, "pools");
  await page.getByLabel("Pool name").fill(name);
  await page.getByLabel("Devices per job").fill(String(devicesPerJob));
  await page.getByLabel("Relay address (optional)").fill(relayUrl);
  await page.getByRole("button", { name: "Create pool" }).click();
  await page.getByRole("heading", { name }).waitFor({ timeout: 30_000 });
}

/** Creates an invite link (default abilities) for the pool the Pools screen shows; a refusal fails with the app's sentence. */
export async function createInvite(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Create invite link" }).click();
  const link = page.getByTestId("invite-link");
  const refusal = page.getByText(/^Could not create the invite/);
  await link.or(refusal).waitFor({ timeout: 30_000 });
  if (await refusal.isVisible()) throw new Error(await refusal.innerText());
  return link.inputValue();
}

/** Opens an invite link, checks the confirmation, and joins. */
export async function joinByLink(page: Page, link: string, onConfirmation?: () => Promise<void>): Promise<void> {
  await page.goto(link);
  await page.getByRole("heading", { name: /^Join pool/ }).waitFor({ timeout: 15_000 });
  await onConfirmation?.();
  await page.getByRole("button", { name: "Join pool" }).click();
  await page.getByTestId("joined").waitFor({ timeout: 30_000 });
}
