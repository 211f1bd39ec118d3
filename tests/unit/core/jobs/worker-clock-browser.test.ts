/** The worker-driven clock in real Chromium: timers fire in order, a cancelled one never fires. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type BrowserSession } from "../../../e2e/chromium.ts";
import { openModulePage } from "../../../e2e/browser-modules.ts";

let session: BrowserSession;
beforeAll(async () => {
  session = await launchChromium();
});
afterAll(async () => {
  await session?.close();
});

describe("worker timer clock in Chromium", () => {
  it("fires timers from a dedicated worker in time order and never a cancelled one", async () => {
    const page = await openModulePage(session, { clock: "src/core/jobs/worker-clock-browser.ts" });
    const fired = await page.evaluate(`(async () => {
      const clock = window.modules.clock.createWorkerTimerClock();
      const fired = [];
      const start = clock.now();
      clock.setTimeout(() => fired.push(["late", clock.now() - start]), 120);
      clock.setTimeout(() => fired.push(["early", clock.now() - start]), 30);
      const cancelled = clock.setTimeout(() => fired.push(["cancelled"]), 60);
      cancelled.cancel();
      await new Promise((resolve) => setTimeout(resolve, 400));
      clock.close();
      return fired;
    })()`);
    const events = fired as Array<[string, number]>;
    expect(events.map(([name]) => name)).toEqual(["early", "late"]);
    expect(events[0]![1]).toBeGreaterThanOrEqual(29);
    expect(events[1]![1]).toBeGreaterThanOrEqual(119);
  });
});
