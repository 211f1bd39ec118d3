/**
 * The installable, offline-first app shell against the production build in Chromium: install
 * criteria (manifest fields, icons, a registered service worker), offline reload, "Try it"
 * rendering the Mandelbrot set on local workers offline (UX.md 1), the Contribute screen's
 * one-sentence status (UX.md 2), the first-load JavaScript budget, and axe-core on every screen.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchChromium, type BrowserSession } from "./chromium.ts";
import { startAppServer, type AppServer } from "./app-server.ts";
import { checkScreen, controlledByServiceWorker, openScreen } from "./app-page.ts";

let server: AppServer;
let browser: BrowserSession;

beforeAll(async () => {
  server = await startAppServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString("ascii")).toBe("PNG");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Non-background pixels of the Try-it canvas: a rendered set has many colours. */
function distinctColours(page: Page): Promise<number> {
  return page.getByTestId("mandelbrot").evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    return seen.size;
  });
}

/** First-load budgets: issue 8 (300 KB compressed), UX.md (all JS on the first route <= 150 KiB gzipped). */
const FIRST_LOAD_MAX_BYTES = 300_000;
const FIRST_ROUTE_MAX_BYTES = 150 * 1024;
const APP_SHELL_MAX_BYTES = 100 * 1024;

describe("the app shell", () => {
  it("loads less than 300 KB of compressed JavaScript on a first visit (150 KiB gzipped, an app shell of 100 KiB, UX.md), and no wasm", async () => {
    const fresh = await launchChromium();
    try {
      const page = await fresh.newPage();
      const loaded: Array<Promise<{ url: string; gzip: number }>> = [];
      const wasm: string[] = [];
      page.on("response", (response) => {
        const url = response.url();
        if (url.endsWith(".wasm")) wasm.push(url);
        if (response.request().resourceType() === "script") loaded.push(response.body().then((body) => ({ url, gzip: gzipSync(body, { level: 9 }).length })));
      });
      await openScreen(page, server.url, "try");
      await page.waitForLoadState("networkidle");
      const scripts = await Promise.all(loaded);
      const total = scripts.reduce((sum, s) => sum + s.gzip, 0);
      expect(scripts.length).toBeGreaterThan(0);
      expect(total, scripts.map((s) => `${s.url}: ${s.gzip} B`).join("\n")).toBeLessThan(FIRST_ROUTE_MAX_BYTES);
      expect(total).toBeLessThan(FIRST_LOAD_MAX_BYTES);
      // The app shell: the entry and the modules index.html preloads with it, before any screen's own code.
      const html = await (await fetch(server.url)).text();
      const shell = scripts.filter((s) => html.includes(`"${new URL(s.url).pathname}"`));
      expect(shell.length).toBeGreaterThan(0);
      expect(shell.reduce((sum, s) => sum + s.gzip, 0), shell.map((s) => `${s.url}: ${s.gzip} B`).join("\n")).toBeLessThan(APP_SHELL_MAX_BYTES);
      expect(wasm).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it("has no accessibility violations on any screen before anything is set up (axe-core, light and dark)", async () => {
    const page = await browser.newPage();
    for (const screen of ["try", "jobs", "contribute", "pools", "ledger", "identity"]) {
      await openScreen(page, server.url, screen);
      await checkScreen(page, `${screen}-first-visit`);
    }
    await page.close();
  });

  it("meets the install criteria: a linked manifest with id, scope, start_url, standalone display, 192/512/maskable icons, and an active service worker", async () => {
    const page = await browser.newPage();
    await openScreen(page, server.url, "try");
    const href = await page.locator('link[rel="manifest"]').getAttribute("href");
    const response = await page.request.get(new URL(href!, server.url).href);
    expect(response.headers()["content-type"]).toContain("application/manifest+json");
    const manifest = (await response.json()) as Record<string, unknown> & { icons: ManifestIcon[] };
    expect(manifest).toMatchObject({ name: "EdgePool", short_name: "EdgePool", id: "/", scope: "/", start_url: "/", display: "standalone" });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/);
    const icons = await Promise.all(
      manifest.icons.map(async (icon) => ({ ...icon, actual: pngSize(await (await page.request.get(new URL(icon.src, server.url).href)).body()) })),
    );
    for (const icon of icons) expect(`${icon.actual.width}x${icon.actual.height}`).toBe(icon.sizes);
    expect(icons.filter((i) => i.purpose === "any").map((i) => i.sizes)).toEqual(["192x192", "512x512"]);
    expect(icons.some((i) => i.purpose === "maskable")).toBe(true);

    expect(await controlledByServiceWorker(page)).toBe(new URL("/sw.js", server.url).href);
    await page.close();
  });

  it("reloads offline after the first visit and renders the Mandelbrot set on local workers within 10 s (Try it)", async () => {
    const page = await browser.newPage();
    await openScreen(page, server.url, "try");
    await controlledByServiceWorker(page);
    await browser.context.setOffline(true);
    try {
      await page.reload();
      await page.getByRole("button", { name: "Render the Mandelbrot set" }).click();
      const started = Date.now();
      await page.locator('[data-testid="mandelbrot"][data-status="done"]').waitFor({ timeout: 10_000 });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await page.getByTestId("try-it-status").innerText()).toMatch(/^Rendered in \d+\.\d s as \d+ tasks on \d+ workers?, entirely on this device\.$/);
      expect(await distinctColours(page)).toBeGreaterThan(8);
      await checkScreen(page, "try-it");
    } finally {
      await browser.context.setOffline(false);
    }
    await page.close();
  });

  it("states on the Contribute screen, in one sentence, why the device is or is not contributing, and follows the settings", async () => {
    const page = await browser.newPage();
    await openScreen(page, server.url, "contribute");
    const sentence = page.getByTestId("contribute-sentence");
    await expect.poll(() => sentence.getAttribute("data-reason")).not.toBeNull();
    await page.getByLabel("Contribute this device's spare time").uncheck();
    await expect.poll(() => sentence.getAttribute("data-reason")).toBe("contribution-off");
    expect(await sentence.innerText()).toMatch(/^Paused since \d\d:\d\d — contributing is turned off\. Resumes when you turn contributing on\.$/);
    await page.getByLabel("Contribute this device's spare time").check();
    await expect.poll(() => sentence.getAttribute("data-reason")).not.toBe("contribution-off");
    expect(await sentence.innerText()).not.toBe("Paused");
    await checkScreen(page, "contribute");

    await page.reload();
    await page.getByTestId("contribute-sentence").waitFor();
    expect(await page.getByLabel("Contribute this device's spare time").isChecked()).toBe(true);
    await page.getByRole("button", { name: "Pause for 1 hour" }).click();
    await expect.poll(() => sentence.getAttribute("data-reason")).toBe("paused-until");
    expect(await sentence.innerText()).toMatch(/Resumes at \d\d:\d\d \(in (1 h|59 min)\)\.$/);
    await page.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => sentence.getAttribute("data-reason")).not.toBe("paused-until");
    await page.close();
  });

  it("can be used with the keyboard alone: skip link, screen navigation and rendering, with a visible focus ring", async () => {
    const page = await browser.newPage();
    await openScreen(page, server.url, "contribute");
    const focused = () => page.evaluate(() => ({ text: document.activeElement?.textContent?.trim() ?? "", outline: getComputedStyle(document.activeElement!).outlineStyle }));
    const tabTo = async (text: string): Promise<void> => {
      for (let i = 0; i < 30; i++) {
        await page.keyboard.press("Tab");
        if ((await focused()).text === text) return;
      }
      throw new Error(`Tab never reached "${text}"`);
    };
    await page.keyboard.press("Tab");
    expect((await focused()).text).toBe("Skip to content");
    await tabTo("Try it");
    expect((await focused()).outline).not.toBe("none");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Try it" }).waitFor();
    await tabTo("Render the Mandelbrot set");
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="mandelbrot"][data-status="done"]').waitFor({ timeout: 10_000 });
    await page.close();
  });
});
