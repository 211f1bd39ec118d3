/**
 * "A new version is ready" (UX.md 12) against two production builds on one origin: the page runs
 * build A under its service worker; the server starts serving build B; the page offers the update
 * without reloading on its own, and "Reload to update" brings B.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staticFileHandler } from "../../src/cli/static-files.ts";
import { checkScreen, controlledByServiceWorker, openScreen } from "./app-page.ts";
import { launchChromium, type BrowserSession } from "./chromium.ts";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const BUILD_B = "update-test-B";
const BUILD_TIMEOUT_MS = 300_000;

let outDir: string;
let server: Server;
let serving: "A" | "B" = "A";
let browser: BrowserSession | undefined;

/** A second production build, told apart by its build label (vite.config.ts reads EDGEPOOL_BUILD). */
function buildB(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["node_modules/vite/bin/vite.js", "build", "--outDir", dir, "--emptyOutDir", "--logLevel", "warn"],
      { cwd: REPO, env: { ...process.env, EDGEPOOL_BUILD: BUILD_B }, timeout: BUILD_TIMEOUT_MS },
      (error, _stdout, stderr) => (error ? reject(new Error(`the second build failed: ${stderr}`)) : resolve()),
    );
  });
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "edgepool-build-b-"));
  await buildB(outDir);
  const handlers = { A: staticFileHandler(join(REPO, "dist")), B: staticFileHandler(outDir) };
  server = createServer((request, response) => handlers[serving](request, response));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
}, BUILD_TIMEOUT_MS + 10_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await rm(outDir, { recursive: true, force: true });
});

describe("app update", () => {
  it("offers a new version without reloading on its own, and reloading to update runs the new build", async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchChromium();
    const page = await browser.newPage();
    const build = page.getByTestId("app-build");
    await openScreen(page, url, "contribute");
    await controlledByServiceWorker(page);
    const buildA = await build.innerText();
    expect(buildA).not.toContain(BUILD_B);

    serving = "B";
    // A navigation makes the browser check for a new service worker; the page still runs A from its cache.
    await page.reload();
    await page.getByText("A new version of EdgePool is ready.").waitFor({ timeout: 30_000 });
    expect(await build.innerText()).toBe(buildA);
    await checkScreen(page, "update-ready");

    await Promise.all([page.waitForEvent("load", { timeout: 30_000 }), page.getByRole("button", { name: "Reload to update" }).click()]);
    await expect.poll(() => build.innerText(), { timeout: 15_000 }).toContain(BUILD_B);
    expect(await page.getByText("A new version of EdgePool is ready.").count()).toBe(0);
  }, 90_000);
});
