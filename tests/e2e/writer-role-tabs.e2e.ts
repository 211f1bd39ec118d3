/**
 * The browser's writer role (src/core/identity/writer-lock-browser.ts) across three tabs of one
 * profile in Chromium, with real Web Locks and BroadcastChannel: one writes, the others read; the
 * tab that asks gets the role (not the one that waited longer), after the writer let go and with
 * its mark; when the writing tab closes, exactly one other tab takes over by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchChromium, type BrowserSession } from "./chromium.ts";
import { openModulePage } from "./browser-modules.ts";

const ENTRIES = { writer: "src/core/identity/writer-lock-browser.ts" };

let session: BrowserSession;
beforeAll(async () => {
  session = await launchChromium();
});
afterAll(async () => {
  await session?.close();
});

/** A tab named `name` holding a TabWriterRole; its letGo returns the mark `wrote:<name>`, its catchUp records the marks it got. */
async function tab(name: string): Promise<Page> {
  const page = await openModulePage(session, ENTRIES);
  await page.evaluate(`(async () => {
    window.letGos = 0;
    window.marks = [];
    window.role = new window.modules.writer.TabWriterRole({
      did: "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
      namespace: "test",
      tab: ${JSON.stringify(name)},
      locks: navigator.locks,
      letGo: async () => { window.letGos++; return "wrote:" + ${JSON.stringify(name)}; },
      catchUp: async (mark) => { window.marks.push(mark ?? null); },
    });
    await window.role.start();
  })()`);
  return page;
}

const status = (page: Page): Promise<string> => page.evaluate("window.role.state.status") as Promise<string>;
const marks = (page: Page): Promise<unknown[]> => page.evaluate("window.marks") as Promise<unknown[]>;

describe("the writer role across tabs (Chromium)", () => {
  it("one tab writes; the asking tab gets the role with the writer's mark; closing the writer hands it to exactly one other", async () => {
    const a = await tab("a");
    const b = await tab("b");
    const c = await tab("c");
    expect([await status(a), await status(b), await status(c)]).toEqual(["writer", "reader", "reader"]);
    expect(await marks(a)).toEqual([null]);

    await c.evaluate("window.role.takeOver()");
    await expect.poll(() => status(c), { timeout: 10_000 }).toBe("writer");
    expect(await marks(c)).toEqual(["wrote:a"]);
    await expect.poll(() => status(a), { timeout: 10_000 }).toBe("reader");
    expect(await status(b)).toBe("reader");
    expect(await a.evaluate("window.letGos")).toBe(1);

    await c.close();
    await expect.poll(async () => [await status(a), await status(b)].sort().join(), { timeout: 20_000 }).toBe("reader,writer");
  }, 60_000);
});
