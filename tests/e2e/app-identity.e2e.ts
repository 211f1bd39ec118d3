/**
 * The Identity screen's backup as a verified step (UX.md 14): a browser key is switched to one that
 * can be backed up, the encrypted backup is saved, a wrong passphrase does not verify it, the right
 * one does (a dry-run import of the saved file), and another browser restores the same DID from it,
 * with the key-agreement key private pools wrap their keys for; a version 1 backup (no such key)
 * restores too, and says what the restored browser must do in private pools.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { appFixture, checkScreen, openScreen } from "./app-page.ts";
import { readBackup } from "../../src/core/identity/backup.ts";
import { aliceBackupV1 } from "../fixtures/backup-v1.ts";

const app = appFixture();
let downloads: string;
const PASSPHRASE = "correct horse battery staple";

beforeAll(async () => {
  downloads = await mkdtemp(join(tmpdir(), "edgepool-backup-"));
});

afterAll(async () => {
  await rm(downloads, { recursive: true, force: true });
});

async function identityPage(): Promise<Page> {
  const { page } = await app.person();
  page.on("dialog", (dialog) => void dialog.accept());
  await openScreen(page, app.server.url, "identity");
  await page.getByLabel("Full DID").waitFor({ timeout: 15_000 });
  return page;
}

const shownDid = (page: Page): Promise<string> => page.getByLabel("Full DID").inputValue();
/** The member key-agreement secret this browser keeps for `did` (core/privacy/stored-kex.ts), in hex; a string: tsx's helpers do not exist in the page. */
const keptKex = (page: Page, did: string): Promise<string | undefined> =>
  page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open("edgepool-automerge");
    open.onupgradeneeded = () => open.result.createObjectStore("documents");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const got = open.result.transaction("documents").objectStore("documents").get(["edgepool-member-kex", ${JSON.stringify(did)}]);
      got.onerror = () => reject(got.error);
      got.onsuccess = () => resolve(got.result ? Array.from(got.result.binary, (b) => b.toString(16).padStart(2, "0")).join("") : undefined);
    };
  })`);

describe("identity backup in the app", () => {
  it("counts a backup as done only once the saved file opens with its passphrase, and restores the same DID elsewhere", async () => {
    const page = await identityPage();
    const original = await shownDid(page);
    await page.getByRole("button", { name: "Use a key that can be backed up" }).click();
    await expect.poll(() => shownDid(page)).not.toBe(original);
    const did = await shownDid(page);

    await page.getByLabel("Passphrase (at least 8 characters)").fill(PASSPHRASE);
    await page.getByLabel("Repeat the passphrase").fill(`${PASSPHRASE}!`);
    await page.getByRole("button", { name: "Create backup" }).click();
    expect(await page.getByRole("alert").innerText()).toBe("The two passphrases differ.");
    await page.getByLabel("Repeat the passphrase").fill(PASSPHRASE);
    await page.getByRole("button", { name: "Create backup" }).click();

    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 30_000 }), page.getByRole("link", { name: /^Save edgepool-identity-/ }).click()]);
    const file = join(downloads, download.suggestedFilename());
    await download.saveAs(file);
    const saved = readBackup(await readFile(file, "utf8"));
    expect(saved.ok && [saved.backup.did, saved.backup.version]).toEqual([did, 2]);
    const kex = await keptKex(page, did);
    expect(kex).toMatch(/^[0-9a-f]{64}$/);

    await page.getByLabel("Saved backup file").setInputFiles(file);
    await page.getByLabel("Passphrase", { exact: true }).fill("not the passphrase");
    await page.getByRole("button", { name: "Verify backup" }).click();
    await expect.poll(() => page.getByRole("alert").innerText(), { timeout: 30_000 }).toContain("wrong passphrase");
    await page.getByRole("button", { name: "Try again" }).click();
    await page.getByLabel("Saved backup file").setInputFiles(file);
    await page.getByLabel("Passphrase", { exact: true }).fill(PASSPHRASE);
    await page.getByRole("button", { name: "Verify backup" }).click();
    await expect.poll(() => page.getByTestId("backup-status").innerText(), { timeout: 30_000 }).toMatch(/^Backup verified on /);
    await checkScreen(page, "identity");

    const elsewhere = await identityPage();
    await elsewhere.getByLabel("Backup file").setInputFiles(file);
    await elsewhere.getByLabel("Backup passphrase").fill(PASSPHRASE);
    await elsewhere.getByRole("button", { name: "Restore identity" }).click();
    await expect.poll(() => shownDid(elsewhere), { timeout: 30_000 }).toBe(did);
    expect(await elsewhere.getByRole("status").filter({ hasText: "Restored" }).innerText()).toMatch(/^Restored did:key:\S+\.$/);
    expect(await keptKex(elsewhere, did)).toBe(kex);
    await elsewhere.reload();
    expect(await elsewhere.getByLabel("Full DID").inputValue()).toBe(did);

    // A backup from before version 2 restores the identity and says what its private pools need.
    const old = join(downloads, "v1.json");
    await writeFile(old, aliceBackupV1);
    await elsewhere.getByLabel("Backup file").setInputFiles(old);
    await elsewhere.getByLabel("Backup passphrase").fill(PASSPHRASE);
    await elsewhere.getByRole("button", { name: "Restore identity" }).click();
    const restored = elsewhere.getByRole("status").filter({ hasText: "Restored" });
    await expect.poll(() => restored.innerText(), { timeout: 30_000 }).toMatch(/does not carry the key private pools send their keys to/);
  }, 180_000);
});
