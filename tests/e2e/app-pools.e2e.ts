/**
 * Two people, two browser profiles (two identities), one relay (`edgepool serve`'s): the first
 * creates a pool (private, the default: everything below travels sealed) and an invite link, then
 * closes its page; the second opens the link, sees the "join pool X?" confirmation and joins with
 * the inviter offline (the link's lockbox waits in the pool's mailbox on the relay); both see the
 * same two members and key epoch. A job the first submits is run by both devices (two replicas),
 * its Mandelbrot image shows, and both see the same ledger and credits. A third person opening the
 * used-up link is told so before joining. The first rotates the key by hand (the second shows as
 * not yet seen with it). The second, who may invite but is no admin, invites the third and revokes
 * her: it cannot rotate, so the first's open page does (`maintainKeys`), and the third is shut out.
 * Then the first revokes the second: the key moves on in the same envelope, both devices show the
 * revocation, and what the first writes next never reaches the second or the third.
 */
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { appDatabaseKeys, appFixture, checkScreen, createInvite, createPool, joinByLink, openScreen, screenshots } from "./app-page.ts";

const app = appFixture();

const memberCount = (page: Page): Promise<number> => page.locator('[data-testid="members"] tbody tr').count();
const epoch = (page: Page): Promise<string> => page.getByTestId("key-epoch").innerText();
const upToDate = (page: Page) => expect.poll(() => page.getByTestId("sync-status").getAttribute("data-sync"), { timeout: 30_000 }).toBe("up-to-date");
/** The keys automerge-repo keeps its storage ids under in the app's IndexedDB. */
const storageIdKeys = async (page: Page): Promise<string[]> => (await appDatabaseKeys(page)).map((key) => key[0]!).filter((first) => first.startsWith("storage-adapter-id"));
const kinds = async (page: Page) => (await page.locator('[data-testid="entries"] tbody tr td:first-child').allInnerTexts()).sort();

describe("pools in the app", () => {
  it("lets one person create a private pool and invite, another join through the link with the inviter offline and run the first one's job, then rotates and revokes", async () => {
    const { server } = app;
    const aliceProfile = await app.person();
    let alice = aliceProfile.page;
    await createPool(alice, server.url, server.relayUrl, "Render farm", 2);
    await expect.poll(() => memberCount(alice), { timeout: 10_000 }).toBe(1);
    expect(await alice.locator('[data-testid="members"]').innerText()).toContain("(you)");
    await expect.poll(() => epoch(alice), { timeout: 30_000 }).toBe("0");
    expect(await alice.getByTestId("privacy-mark").innerText()).toMatch(/^Private pool: relays store and forward only ciphertext/);
    expect(await alice.getByRole("button", { name: /Render farm/ }).innerText()).toMatch(/private/);

    // bob may invite (not administer), so he can later revoke whom he invited.
    await alice.getByLabel(/Invite others/).check();
    const link = await createInvite(alice);
    expect(link).toMatch(new RegExp(`^${server.url.replace(/[/.]/g, "\\$&")}#/join/`));
    await alice.getByRole("img", { name: "QR code of the invite link" }).waitFor();
    await upToDate(alice);
    expect(await alice.getByTestId("only-here").getAttribute("data-count")).toBe("0");
    // The private pool's repo presents a storage id of its own, so a relay cannot link this browser's pools by it.
    expect((await storageIdKeys(alice)).filter((key) => key.startsWith("storage-adapter-id-pool-"))).toHaveLength(1);
    await checkScreen(alice, "pools");
    // The inviter goes offline: the joiner needs only the link and the relay.
    await alice.close();

    const bob = (await app.person()).page;
    await joinByLink(bob, link, async () => {
      expect(await bob.locator("main").innerText()).toContain("You may: job/run, job/submit");
      expect(await bob.getByTestId("join-privacy").innerText()).toMatch(/^Private pool: .*the relay sees only ciphertext$/);
      // The link's name shows at once as a hint; the pool's signed ledger confirms it once it arrives.
      expect(await bob.getByTestId("pool-name").innerText()).toBe("Render farm");
      await expect.poll(() => bob.getByTestId("pool-name").getAttribute("data-source"), { timeout: 30_000 }).toBe("ledger");
      expect(await bob.getByTestId("pool-name-source").innerText()).toBe("Name confirmed by the pool's signed ledger.");
      await checkScreen(bob, "join");
    });

    await openScreen(bob, server.url, "pools");
    await bob.getByRole("button", { name: "Render farm" }).click();
    await expect.poll(() => memberCount(bob), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => epoch(bob), { timeout: 20_000 }).toBe("0");
    alice = await aliceProfile.session.newPage();
    await openScreen(alice, server.url, "pools");
    await expect.poll(() => memberCount(alice), { timeout: 30_000 }).toBe(2);

    // A third person with the same one-use link learns before joining that it is used up, and whom to ask.
    const carol = (await app.person()).page;
    await carol.goto(link);
    await carol.getByTestId("invite-unusable").waitFor({ timeout: 30_000 });
    expect(await carol.getByTestId("invite-unusable").innerText()).toMatch(/has already been used 1 time, its limit; ask did:key:\S+ \(who invited you\) for a new link$/);
    await checkScreen(carol, "join-used-up");

    await openScreen(alice, server.url, "jobs");
    await alice.getByLabel("Task").selectOption("mandelbrot");
    await alice.getByRole("button", { name: "Submit job" }).click();
    await alice.locator('[data-testid="my-jobs"] li[data-status="done"]').waitFor({ timeout: 90_000 }).catch(async (error: unknown) => {
      await screenshots(alice, "jobs-failed");
      await openScreen(bob, server.url, "contribute");
      await screenshots(bob, "jobs-failed-bob-contribute");
      throw error;
    });
    await alice.getByTestId("job-image").waitFor();
    // The verdict is provisional until the workers' credits vest (the bond a caught worker loses).
    expect(await alice.getByTestId("job-provisional").innerText()).toMatch(/^Provisional until .+: the result can still be revoked/);
    await checkScreen(alice, "jobs");

    await openScreen(bob, server.url, "contribute");
    await expect.poll(() => bob.getByTestId("tasks-done").innerText(), { timeout: 20_000 }).toBe("1");
    expect(Number(await bob.getByTestId("credits-vesting").innerText().then((t) => t.split(" ")[0]))).toBeGreaterThan(0);
    expect(await bob.getByTestId("my-tier").innerText()).toMatch(/^(building|trusted), \d+ valid results in a row$/);
    expect(await bob.getByTestId("my-strikes").innerText()).toBe("none");
    expect(await bob.getByTestId("my-stake").innerText()).toBe("0");
    await checkScreen(bob, "contribute-member");

    await openScreen(alice, server.url, "ledger");
    await openScreen(bob, server.url, "ledger");
    const balances = (page: Page) => page.getByTestId("balances").innerText();
    await expect.poll(async () => (await kinds(alice)).filter((k) => k === "job.submit" || k === "member.join" || k === "pool.create"), { timeout: 20_000 }).toEqual([
      "job.submit",
      "member.join",
      "pool.create",
    ]);
    await expect.poll(async () => (await kinds(bob)).join(), { timeout: 20_000 }).toBe((await kinds(alice)).join());
    await expect.poll(() => balances(bob), { timeout: 20_000 }).toBe(await balances(alice));
    // Each worker's standing, the verification fund and the pool's parameters, from the fold.
    await expect.poll(() => alice.getByTestId("worker-row").count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await alice.getByTestId("worker-tier").allInnerTexts()).toContain("building");
    expect(await alice.getByTestId("fund").innerText()).toMatch(/^Verification fund: -?\d+ credits/);
    expect(await alice.getByTestId("pool-params").innerText()).toMatch(/Majority k\s+3/);
    await checkScreen(alice, "ledger");

    // A rotation by hand: bob gets the new key but has written nothing under it yet.
    await openScreen(alice, server.url, "pools");
    await openScreen(bob, server.url, "pools");
    await alice.getByRole("button", { name: "Rotate key" }).click();
    await expect.poll(() => epoch(alice), { timeout: 20_000 }).toBe("1");
    expect(await alice.getByTestId("not-yet-seen").getAttribute("data-count")).toBe("1");
    await expect.poll(() => epoch(bob), { timeout: 30_000 }).toBe("1");
    // The rotation can show before bob's lockbox has opened ("not arrived yet"); then his key arrives.
    await expect.poll(() => bob.getByTestId("pending-rotation").count(), { timeout: 30_000 }).toBe(0);

    // bob (member/invite, no pool/admin) invites carol, then revokes her: his revocation goes out
    // alone, and alice's open page sees a revoked member holding the key and rotates.
    const statuses = (page: Page) => page.getByTestId("member-status").allInnerTexts();
    const revokedCount = async (page: Page) => (await statuses(page)).filter((s) => s.startsWith("revoked")).length;
    const bobsLink = await createInvite(bob);
    await upToDate(bob);
    await joinByLink(carol, bobsLink);
    await openScreen(carol, server.url, "pools");
    await carol.getByRole("button", { name: "Render farm" }).click();
    await expect.poll(() => memberCount(carol), { timeout: 30_000 }).toBe(3);
    await expect.poll(() => memberCount(bob), { timeout: 30_000 }).toBe(3);
    await expect.poll(() => carol.getByTestId("pending-rotation").count(), { timeout: 30_000 }).toBe(0);
    await bob.getByRole("button", { name: /^Revoke did:key:/ }).click();
    await bob.getByRole("button", { name: "Confirm revoke" }).click();
    await bob.getByText(/^Revoked did:key:.*The key was not changed: rotating the key needs pool\/admin/).waitFor({ timeout: 30_000 });
    await expect.poll(() => epoch(alice), { timeout: 30_000 }).toBe("2");
    await expect.poll(() => revokedCount(alice), { timeout: 30_000 }).toBe(1);
    await carol.getByTestId("pending-rotation").waitFor({ timeout: 30_000 });
    expect(await carol.getByTestId("pending-rotation").innerText()).toMatch(/you were removed from the pool/);
    await expect.poll(() => bob.getByTestId("pending-rotation").count(), { timeout: 30_000 }).toBe(0);
    expect(await epoch(bob)).toBe("2");

    // Alice revokes bob, which rotates again in the same envelope; both devices then show him as
    // revoked, and his learns of the new epoch but not its key.
    await alice.getByRole("button", { name: /^Revoke did:key:/ }).click();
    await checkScreen(alice, "pools-revoke-confirm");
    await alice.getByRole("button", { name: "Confirm revoke" }).click();
    await alice.getByText(/^Revoked did:key:.*entries up to number \d+ stay valid, later ones are refused\. The pool's key moved to epoch 3: they cannot read what is written from now on\.$/).waitFor({ timeout: 30_000 });
    expect(await revokedCount(alice)).toBe(2);
    expect(await epoch(alice)).toBe("3");
    expect(await alice.getByTestId("not-yet-seen").getAttribute("data-count")).toBe("0");
    await expect.poll(() => revokedCount(bob), { timeout: 30_000 }).toBe(2);
    await bob.getByTestId("pending-rotation").waitFor({ timeout: 30_000 });
    expect(await bob.getByTestId("pending-rotation").innerText()).toMatch(/you were removed from the pool/);
    expect(await epoch(bob)).toBe("3");
    await checkScreen(bob, "pools-private-removed");

    // What alice writes now (an invite) is sealed under epoch 3: it reaches the relay, never bob.
    // carol, removed at epoch 2, never read bob's revocation (sealed under epoch 2) either.
    await createInvite(alice);
    await upToDate(alice);
    await openScreen(alice, server.url, "ledger");
    await expect.poll(async () => (await kinds(alice)).filter((k) => k === "invite.create").length, { timeout: 20_000 }).toBe(3);
    await openScreen(bob, server.url, "ledger");
    expect((await kinds(bob)).filter((k) => k === "invite.create")).toHaveLength(2);
    expect(await revokedCount(carol)).toBe(1);
    expect(await epoch(carol)).toBe("2");
  }, 300_000);
});
