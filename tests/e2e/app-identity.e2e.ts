/**
 * The Identity screen's backup as a verified step (UX.md 14): a browser key is switched to one that
 * can be backed up, the encrypted backup is saved, a wrong passphrase does not verify it, the right
 * one does (a dry-run import of the saved file), and another browser restores the same DID from it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { appFixture, checkScreen, openScreen } from "./app-page.ts";
import { readBackup } from "../../src/core/identity/backup.ts";

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
    expect(saved.ok && saved.backup.did).toBe(did);

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
    await elsewhere.reload();
    expect(await elsewhere.getByLabel("Full DID").inputValue()).toBe(did);
  }, 180_000);
});
