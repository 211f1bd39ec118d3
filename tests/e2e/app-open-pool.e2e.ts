/**
 * An open pool in the app (issue 12): a pool created with `edgepool pool create --open` through the
 * app server's relay; a stranger opens the pool's page, reads its description from the signed
 * ledger, joins with one click while a progress bar shows the join stamp being computed, and lands
 * as a member with the open abilities. The page passes the accessibility checks.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { edgepoolInProcess } from "../fixtures/cli.ts";
import { appFixture, checkScreen } from "./app-page.ts";

const app = appFixture();
const home = mkdtempSync(join(tmpdir(), "edgepool-open-e2e-"));
afterAll(async () => {
  // automerge-repo's throttled saves outlive shutdown (tests/integration/ledger/network.ts).
  await new Promise((resolve) => setTimeout(resolve, 500));
  rmSync(home, { recursive: true, force: true });
});

describe("an open pool in the app", () => {
  it("shows the pool's page and joins it with one click, with the stamp's progress", async () => {
    const { server } = app;
    const created = await edgepoolInProcess(["pool", "create", "--name", "Folding friends", "--open", "--pow-bits", "16", "--relay", server.relayUrl, "--home", home]);
    expect(created.code, created.err.join("\n")).toBe(0);
    const pool = created.out[0]!.trim();

    const page = (await app.person()).page;
    await page.goto(`${server.url}#/open/${pool}?relay=${encodeURIComponent(server.relayUrl)}`);
    await page.getByTestId("pool-name").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("pool-name").innerText()).toBe("Folding friends");
    expect(await page.locator("main").innerText()).toContain("joining costs a proof-of-work stamp");
    await checkScreen(page, "open-pool");

    await page.getByRole("button", { name: "Join pool" }).click();
    await page.getByLabel("Computing your join stamp").waitFor({ state: "attached", timeout: 10_000 });
    await page.getByTestId("joined").waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("joined").innerText()).toContain("You are a member of “Folding friends”");

    const members = await edgepoolInProcess(["members", "--pool", pool, "--json", "--relay", server.relayUrl, "--home", home]);
    expect(members.code, members.err.join("\n")).toBe(0);
    await expect.poll(async () => (await edgepoolInProcess(["members", "--pool", pool, "--json", "--relay", server.relayUrl, "--home", home])).out.join("").match(/did:key:/g)?.length ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
