/**
 * The browser identity, end to end: the production build in Chromium creates a did:key identity,
 * keeps it across reloads and racing tabs, and signs messages that Node verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdir } from "node:fs/promises";
import type { Page } from "playwright-core";
import { launchChromium, type BrowserSession } from "./chromium.ts";
import { startAppServer, type AppServer } from "./app-server.ts";
import { parseDidKey } from "../../src/core/identity/did-key.ts";
import { verify, hexToBytes, utf8 } from "../../src/core/crypto/index.ts";

const SCREENSHOTS = new URL("./screenshots/", import.meta.url);

let server: AppServer;
const sessions: BrowserSession[] = [];

beforeAll(async () => {
  server = await startAppServer();
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await server?.stop();
});

async function freshBrowser(args: readonly string[] = []): Promise<BrowserSession> {
  const session = await launchChromium({ args });
  sessions.push(session);
  return session;
}

async function shownDid(page: Page): Promise<string> {
  const field = page.getByLabel("Full DID");
  await field.waitFor({ timeout: 15_000 });
  return field.inputValue();
}

async function signInPage(page: Page, message: string): Promise<Uint8Array> {
  await page.getByRole("textbox", { name: "Message", exact: true }).fill(message);
  await page.getByRole("button", { name: "Sign" }).click();
  return hexToBytes(await page.getByTestId("signature").innerText());
}

async function expectNodeVerifies(did: string, message: string, signature: Uint8Array): Promise<void> {
  const parsed = parseDidKey(did);
  if (!parsed.ok) throw new Error(`the page showed an invalid DID: ${parsed.message}`);
  expect(await verify(parsed.publicKey, utf8(message), signature)).toEqual({ ok: true });
  expect(await verify(parsed.publicKey, utf8(`${message}!`), signature)).toEqual({ ok: false, reason: "equation" });
}

describe("browser identity", () => {
  it("creates a did:key identity held as a non-extractable key, keeps it across a reload, and signs what Node verifies", async () => {
    const page = await (await freshBrowser()).newPage();
    await page.goto(`${server.url}#/identity`);
    const did = await shownDid(page);
    expect(did).toMatch(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/);
    await expect.poll(() => page.getByTestId("did-short").innerText()).toBe(`${did.slice(0, 16)}…${did.slice(-4)}`);
    expect(await page.getByTestId("key-protection").innerText()).toContain("cannot be read");

    await page.reload();
    expect(await shownDid(page)).toBe(did);

    const message = "EdgePool e2e: signed in Chromium, verified in Node";
    await expectNodeVerifies(did, message, await signInPage(page, message));

    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: new URL("identity.png", SCREENSHOTS).pathname, fullPage: true });
  });

  it("ends with one identity when several tabs of a fresh profile create it at the same time", async () => {
    const browser = await freshBrowser();
    const pages = await Promise.all([1, 2, 3].map(() => browser.newPage()));
    await Promise.all(pages.map((p) => p.goto(`${server.url}#/identity`)));
    const dids = await Promise.all(pages.map(shownDid));
    expect(new Set(dids).size).toBe(1);
    const reopened = await browser.newPage();
    await reopened.goto(`${server.url}#/identity`);
    expect(await shownDid(reopened)).toBe(dids[0]);
  });

  it("falls back to a seed signed by noble where WebCrypto lacks Ed25519, says so, and still signs what Node verifies", async () => {
    const browser = await freshBrowser();
    // Chromium has Ed25519; make this profile behave like a browser without it (older Safari/Firefox).
    await browser.context.addInitScript(() => {
      const subtle = crypto.subtle;
      const refuseEd25519 =
        <A extends unknown[], R>(original: (...args: A) => Promise<R>) =>
        (...args: A): Promise<R> => {
          const namesEd25519 = (a: unknown): boolean => a === "Ed25519" || (typeof a === "object" && a !== null && (a as { name?: unknown }).name === "Ed25519");
          if (args.some(namesEd25519)) return Promise.reject(new DOMException("Algorithm: Unrecognized name", "NotSupportedError"));
          return original.apply(subtle, args);
        };
      subtle.generateKey = refuseEd25519(subtle.generateKey) as typeof subtle.generateKey;
      subtle.importKey = refuseEd25519(subtle.importKey) as typeof subtle.importKey;
    });
    const page = await browser.newPage();
    await page.goto(`${server.url}#/identity`);
    const did = await shownDid(page);
    expect(await page.getByTestId("key-protection").innerText()).toContain("readable by this site's scripts");
    await page.reload();
    expect(await shownDid(page)).toBe(did);
    const message = "signed by the noble fallback";
    await expectNodeVerifies(did, message, await signInPage(page, message));
  });
});
