/**
 * One writer per identity across the tabs of one browser profile (core/identity/writer-lock-browser.ts):
 * the first tab writes; a second tab of the same profile says plainly that EdgePool runs in the
 * other tab (also on its Contribute screen), shows the pool and writes nothing (an invite and a job are refused there); "Use this tab instead"
 * moves the role to it (the first tab then only shows); closing the writing tab lets the other one
 * take over by itself.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { appFixture, checkScreen, createInvite, createPool, openScreen } from "./app-page.ts";

const app = appFixture();

const status = (page: Page) => page.getByTestId("writer-status");
/** "N valid entries on this device" on the Ledger screen. */
const validEntries = async (page: Page): Promise<number> => Number(/(\d+) valid entries/.exec(await page.locator("main").innerText())?.[1] ?? NaN);
const refused = async (page: Page): Promise<string> => (await page.getByRole("heading", { name: /^Refused entries/ }).innerText()).trim();

describe("one writer per identity in the app", () => {
  it("a second tab only shows the pool; it takes the role when asked, and by itself when the writing tab closes", async () => {
    const { server } = app;
    const { page: first, session } = await app.person();
    await createPool(first, server.url, server.relayUrl, "Two tabs", 1);
    expect(await status(first).count()).toBe(0);
    await openScreen(first, server.url, "ledger");
    await expect.poll(() => validEntries(first), { timeout: 30_000 }).toBeGreaterThan(0);
    const before = await validEntries(first);

    const second = await session.newPage();
    await openScreen(second, server.url, "pools");
    await expect.poll(() => status(second).innerText(), { timeout: 30_000 }).toBe("EdgePool is running in another tab. This tab only shows it.");
    expect(await status(second).getAttribute("role")).toBe("status");
    await openScreen(second, server.url, "contribute");
    expect(await second.getByTestId("contribute-sentence").getAttribute("data-reason")).toBe("other-tab");
    expect(await second.getByRole("button", { name: "Pause for 1 hour" }).count()).toBe(0);
    await openScreen(second, server.url, "pools");
    await second.getByRole("heading", { name: "Two tabs" }).waitFor({ timeout: 30_000 });
    await checkScreen(second, "pools-other-tab");
    await second.getByRole("button", { name: "Create invite link" }).click();
    await expect.poll(() => second.getByRole("alert").innerText(), { timeout: 10_000 }).toContain("EdgePool is running in another tab");
    await openScreen(second, server.url, "jobs");
    await second.getByLabel("Task").selectOption("primes", { timeout: 30_000 });
    await second.getByRole("button", { name: "Submit job" }).click();
    await expect.poll(() => second.getByRole("alert").innerText(), { timeout: 10_000 }).toContain("EdgePool is running in another tab");
    await openScreen(second, server.url, "pools");
    expect(await validEntries(first)).toBe(before);

    await second.getByRole("button", { name: "Use this tab instead" }).click();
    await expect.poll(() => status(second).count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => status(first).innerText(), { timeout: 30_000 }).toBe("EdgePool is running in another tab. This tab only shows it.");
    const link = await createInvite(second);
    expect(link).toContain("#/join/");
    await expect.poll(() => validEntries(first), { timeout: 30_000 }).toBe(before + 1);

    await second.close();
    await expect.poll(() => status(first).count(), { timeout: 30_000 }).toBe(0);
    await openScreen(first, server.url, "pools");
    expect(await createInvite(first)).toContain("#/join/");
    await openScreen(first, server.url, "ledger");
    await expect.poll(() => validEntries(first), { timeout: 30_000 }).toBe(before + 2);
    expect(await refused(first)).toBe("Refused entries (0)");
  }, 240_000);
});
