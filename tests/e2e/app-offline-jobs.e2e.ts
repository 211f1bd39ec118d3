/**
 * Offline submission (UX.md 11) against the production build: after a first visit, a member's
 * device goes offline, reloads the app from its service worker (its pool reopens from IndexedDB),
 * submits a job that shows at once as "queued on this device" (and the sync indicator counts its
 * change as saved only on this device), and once back online the job reaches the relay and another
 * member's device runs it.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { appFixture, controlledByServiceWorker, createInvite, createPool, joinByLink, openScreen, screenshots, checkScreen } from "./app-page.ts";

const app = appFixture();

/**
 * Clicks "Submit job" and resolves with the first status the page shows for the new job, read as
 * the page changes (a MutationObserver), so a passing state such as "sending" could not be missed.
 * How fast it shows is measured by `npm run bench -- app` (UX.md 11's 100 ms).
 */
function submitAndFirstStatus(page: Page): Promise<string> {
  return page.evaluate(`new Promise((resolve) => {
    const statuses = () => document.querySelectorAll('[data-testid="job-status"]');
    const before = statuses().length;
    const observer = new MutationObserver(() => {
      if (statuses().length === before) return;
      observer.disconnect();
      resolve(statuses()[0].textContent);
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    [...document.querySelectorAll("button")].find((b) => b.textContent === "Submit job").click();
  })`) as Promise<string>;
}

describe("offline job submission", () => {
  it("shows a job submitted offline as queued on this device, then completes it once online", async () => {
    const { server } = app;
    const alice = await app.person();
    await createPool(alice.page, server.url, server.relayUrl, "Offline pool", 1);
    const link = await createInvite(alice.page);
    const bob = await app.person();
    await joinByLink(bob.page, link);

    // Only bob's device contributes, so the job can only run after it leaves alice's device. Alice,
    // the root, still holds job/run, so when the rendezvous order puts her first bob waits for his
    // claim wave (a quarter of the pool's 300 s lease): hence the long wait below.
    await openScreen(alice.page, server.url, "contribute");
    await alice.page.getByLabel("Contribute this device's spare time").uncheck();
    await controlledByServiceWorker(alice.page);

    await alice.session.context.setOffline(true);
    await alice.page.reload();
    await openScreen(alice.page, server.url, "jobs");
    await alice.page.getByLabel("Task").selectOption("primes");
    // The device is offline: the job is queued here before any network is involved, and says so at once.
    expect(await submitAndFirstStatus(alice.page)).toBe("queued on this device");
    await checkScreen(alice.page, "jobs-offline");

    // The sync indicator says so, and counts the job's change as saved only on this device.
    await openScreen(alice.page, server.url, "ledger");
    const onlyHere = () => alice.page.getByTestId("only-here").getAttribute("data-count").then(Number);
    await expect.poll(() => alice.page.getByTestId("sync-status").getAttribute("data-sync")).toBe("offline");
    await expect.poll(onlyHere).toBeGreaterThan(0);
    expect(await alice.page.getByTestId("only-here").innerText()).toMatch(/^\d+ changes? saved only on this device, not yet on any peer or relay\.$/);
    await checkScreen(alice.page, "ledger-offline");
    await openScreen(alice.page, server.url, "jobs");

    await alice.session.context.setOffline(false);
    await alice.page.locator('[data-testid="my-jobs"] li[data-status="done"]').waitFor({ timeout: 200_000 }).catch(async (error: unknown) => {
      await screenshots(alice.page, "jobs-offline-failed");
      await openScreen(bob.page, app.server.url, "ledger");
      await screenshots(bob.page, "jobs-offline-failed-bob");
      throw error;
    });
    await expect.poll(() => alice.page.getByTestId("job-status").innerText()).toBe("done");
    await openScreen(alice.page, server.url, "ledger");
    await expect.poll(onlyHere, { timeout: 20_000 }).toBe(0);
  }, 330_000);
});
