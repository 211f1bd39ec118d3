/**
 * A pool's relay-only switch in the app: the pool's creator turns direct connections off for
 * everyone (a pool.network entry), the other member's device learns it from the ledger, and
 * neither device then says hello to the other or opens a WebRTC connection: each stops listing
 * the other as online through the direct-peer signalling, where it did before.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { appFixture, checkScreen, createInvite, createPool, joinByLink, openScreen } from "./app-page.ts";

const app = appFixture();

/** Counts the page's RTCPeerConnection constructions (a direct connection attempt starts with one). */
const COUNT_CONNECTIONS = `(() => {
  const Real = window.RTCPeerConnection;
  window.__connections = 0;
  window.RTCPeerConnection = function (...args) { window.__connections++; return new Real(...args); };
  window.RTCPeerConnection.prototype = Real.prototype;
})()`;

const connections = (page: Page): Promise<number> => page.evaluate("window.__connections");
const peersOnline = (page: Page): Promise<number> => page.locator('[data-testid="peers"] tbody tr').count();

async function person(): Promise<Page> {
  const { page } = await app.person();
  await page.addInitScript(COUNT_CONNECTIONS);
  return page;
}

describe("relay-only pools in the app", () => {
  it("lets the creator turn direct connections off, after which no device attempts one", async () => {
    const { server } = app;
    const alice = await person();
    await createPool(alice, server.url, server.relayUrl, "Quiet pool", 1);
    const link = await createInvite(alice);
    const bob = await person();
    await joinByLink(bob, link);
    await openScreen(bob, server.url, "pools");
    await bob.getByRole("button", { name: "Quiet pool" }).click();
    expect(await bob.getByTestId("direct-status").innerText()).toMatch(/^On:/);

    // With direct connections allowed, each hears the other's signed hello through the relay.
    await openScreen(alice, server.url, "ledger");
    await expect.poll(() => peersOnline(alice), { timeout: 60_000 }).toBe(1);

    await openScreen(alice, server.url, "pools");
    await alice.getByTestId("relay-only").check();
    await expect.poll(() => alice.getByTestId("relay-only").isChecked(), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => bob.getByTestId("direct-status").innerText(), { timeout: 30_000 }).toMatch(/^Off: this pool is relay only/);
    await checkScreen(alice, "pools-relay-only");

    // Once neither says hello, each drops the other from its list (after three missed hellos).
    const before = [await connections(alice), await connections(bob)];
    await openScreen(alice, server.url, "ledger");
    await openScreen(bob, server.url, "ledger");
    await expect.poll(() => peersOnline(alice), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => peersOnline(bob), { timeout: 60_000 }).toBe(0);
    expect(await alice.getByText("No other member is online now.").isVisible()).toBe(true);
    expect([await connections(alice), await connections(bob)]).toEqual(before);
  }, 240_000);
});
