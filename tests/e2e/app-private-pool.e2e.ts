/**
 * A private pool in the app (issue 13), two browser profiles and one relay process: the first
 * creates it (private is the default) and an invite link, then closes its page; the second joins
 * from the link alone (the lockbox waits in the pool's mailbox on the relay). The creator rotates
 * the key (the other member shows as not yet seen with it), then revokes the member: the key
 * moves on, and the removed member's device can no longer read. Jobs in a private pool are
 * app-pools.e2e.ts's (its pool is private by default).
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { appFixture, checkScreen, createInvite, createPool, joinByLink, openScreen } from "./app-page.ts";

const app = appFixture();

const epoch = (page: Page): Promise<string> => page.getByTestId("key-epoch").innerText();
const memberCount = (page: Page): Promise<number> => page.locator('[data-testid="members"] tbody tr').count();
const upToDate = (page: Page) => expect.poll(() => page.getByTestId("sync-status").getAttribute("data-sync"), { timeout: 30_000 }).toBe("up-to-date");
const entryKinds = async (page: Page): Promise<string[]> => page.locator('[data-testid="entries"] tbody tr td:first-child').allInnerTexts();

describe("private pools in the app", () => {
  it("creates a private pool, lets a member join from a link with the inviter offline, then rotates and revokes", async () => {
    const { server } = app;
    const aliceSession = await app.person();
    let alice = aliceSession.page;
    await createPool(alice, server.url, server.relayUrl, "Sealed farm", 2);
    await expect.poll(() => epoch(alice), { timeout: 30_000 }).toBe("0");
    expect(await alice.getByTestId("privacy-mark").innerText()).toMatch(/^Private pool: relays store and forward only ciphertext/);
    expect(await alice.getByRole("button", { name: /Sealed farm/ }).innerText()).toMatch(/private/);
    const link = await createInvite(alice);
    await upToDate(alice);
    // The inviter goes offline: the joiner needs only the link and the relay.
    await alice.close();

    const bob = (await app.person()).page;
    await joinByLink(bob, link, async () => {
      expect(await bob.getByTestId("join-privacy").innerText()).toMatch(/^Private pool: .*the relay sees only ciphertext$/);
      await expect.poll(() => bob.getByTestId("pool-name").getAttribute("data-source"), { timeout: 30_000 }).toBe("ledger");
    });
    await openScreen(bob, server.url, "pools");
    await bob.getByRole("button", { name: /Sealed farm/ }).click();
    await expect.poll(() => epoch(bob), { timeout: 30_000 }).toBe("0");
    expect(await memberCount(bob)).toBe(2);
    await upToDate(bob);

    alice = await aliceSession.session.newPage();
    await openScreen(alice, server.url, "pools");
    await expect.poll(() => memberCount(alice), { timeout: 30_000 }).toBe(2);

    // A rotation by hand: bob holds the new key but has written nothing under it yet.
    await openScreen(alice, server.url, "pools");
    await alice.getByRole("button", { name: "Rotate key" }).click();
    await expect.poll(() => epoch(alice), { timeout: 20_000 }).toBe("1");
    expect(await alice.getByTestId("not-yet-seen").getAttribute("data-count")).toBe("1");
    await checkScreen(alice, "pools-private");
    await expect.poll(() => epoch(bob), { timeout: 30_000 }).toBe("1");
    expect(await bob.getByTestId("pending-rotation").count()).toBe(0);

    // Revoking bob rotates again, in the same envelope: his device learns that, but not the key.
    await alice.getByRole("button", { name: /^Revoke did:key:/ }).click();
    await alice.getByRole("button", { name: "Confirm revoke" }).click();
    await alice.getByText(/The pool's key moved to epoch 2: they cannot read what is written from now on\.$/).waitFor({ timeout: 30_000 });
    expect(await epoch(alice)).toBe("2");
    expect(await alice.getByTestId("not-yet-seen").getAttribute("data-count")).toBe("0");
    await upToDate(alice);
    await bob.getByTestId("pending-rotation").waitFor({ timeout: 30_000 });
    expect(await bob.getByTestId("pending-rotation").innerText()).toMatch(/you were removed from the pool/);
    expect(await epoch(bob)).toBe("2");
    await checkScreen(bob, "pools-private-removed");

    // What alice writes now (an invite) is sealed under epoch 2: it reaches the relay, never bob.
    await createInvite(alice);
    await upToDate(alice);
    await openScreen(alice, server.url, "ledger");
    await expect.poll(async () => (await entryKinds(alice)).filter((k) => k === "invite.create").length, { timeout: 20_000 }).toBe(2);
    await openScreen(bob, server.url, "ledger");
    expect((await entryKinds(bob)).filter((k) => k === "invite.create")).toHaveLength(1);
  }, 300_000);
});
