/**
 * The browser adapter in real Chromium (the shared module page bundles it as the app would), driven
 * through DevTools' own overrides for idle state and CPU pressure, with the real permission system.
 * Chromium gives no way to change the battery or the page's visibility from outside, so those are
 * checked as read, not as changed.
 */
import type { CDPSession, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type BrowserSession } from "../../../e2e/chromium.ts";
import { MODULE_ORIGIN, openModulePage } from "../../../e2e/browser-modules.ts";

let session: BrowserSession;
beforeAll(async () => {
  session = await launchChromium();
});
afterAll(async () => {
  await session?.close();
});

/** Opens a page whose `window.signals` is a live browser signal source and `window.changes` counts its events. */
async function openPage(before?: (cdp: CDPSession) => Promise<void>): Promise<{ page: Page; cdp: CDPSession }> {
  const page = await openModulePage(session, { signals: "src/core/scheduler/signals-browser.ts" });
  const cdp = await session.context.newCDPSession(page);
  await before?.(cdp);
  await page.evaluate(`(async () => {
    window.signals = await window.modules.signals.createBrowserSignals();
    window.changes = 0;
    window.signals.onChange(() => window.changes++);
  })()`);
  return { page, cdp };
}

const read = (page: Page) => page.evaluate(() => (window as unknown as { signals: { read(): unknown } }).signals.read() as Record<string, unknown>);

describe("browser signals in Chromium", () => {
  it("reads the battery, the page's visibility and the cores as the browser reports them", async () => {
    const { page } = await openPage();
    const reported = await page.evaluate(async () => {
      const battery = await (navigator as unknown as { getBattery(): Promise<{ charging: boolean; level: number }> }).getBattery();
      return { charging: battery.charging, batteryPercent: Math.round(battery.level * 100), pageVisible: document.visibilityState === "visible", hardwareCores: navigator.hardwareConcurrency };
    });
    expect(await read(page)).toMatchObject({ ...reported, userIdle: undefined });
    await page.close();
  });

  it("follows CPU pressure and reports each change", async () => {
    const { page, cdp } = await openPage(async (cdp) => {
      await cdp.send("Emulation.setPressureSourceOverrideEnabled" as never, { enabled: true, source: "cpu" } as never);
    });
    for (const state of ["critical", "nominal", "serious"] as const) {
      await cdp.send("Emulation.setPressureStateOverride" as never, { source: "cpu", state } as never);
      await expect.poll(async () => (await read(page)).cpuPressure, { timeout: 10_000 }).toBe(state);
    }
    expect(await page.evaluate(() => (window as unknown as { changes: number }).changes)).toBeGreaterThanOrEqual(3);
    await page.close();
  });

  it("does not read idle state without the user's permission, and cannot ask without a gesture", async () => {
    const { page } = await openPage();
    expect((await read(page)).userIdle).toBeUndefined();
    const result = await page.evaluate(() => (window as unknown as { signals: { enableIdleDetection(): Promise<{ ok: boolean; reason?: string }> } }).signals.enableIdleDetection());
    expect(result).toMatchObject({ ok: false, reason: "permission-denied" });
    expect((await read(page)).userIdle).toBeUndefined();
    await page.close();
  });

  it("reads idle state once permission was granted, and follows it", async () => {
    const { page, cdp } = await openPage(async (cdp) => {
      await cdp.send("Browser.grantPermissions", { permissions: ["idleDetection"], origin: MODULE_ORIGIN });
      await cdp.send("Emulation.setIdleOverride", { isUserActive: true, isScreenUnlocked: true });
    });
    await expect.poll(async () => (await read(page)).userIdle).toBe(false);
    await cdp.send("Emulation.setIdleOverride", { isUserActive: false, isScreenUnlocked: true });
    await expect.poll(async () => (await read(page)).userIdle).toBe(true);
    await cdp.send("Emulation.setIdleOverride", { isUserActive: true, isScreenUnlocked: false });
    await expect.poll(async () => (await read(page)).userIdle).toBe(true); // a locked screen counts as away
    await page.close();
  });
});
