/**
 * The IndexedDB keystore in real Chromium, through the same contract every Keystore meets, in both
 * of its modes, plus what only this one promises: the private key cannot be read by page script.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { launchChromium, type BrowserSession } from "../../../e2e/chromium.ts";
import { openModulePage } from "../../../e2e/browser-modules.ts";
import { keystoreContract } from "./keystore-contract.ts";
import type { Keystore, Identity } from "../../../../src/core/identity/keystore.ts";
import type { Did } from "../../../../src/core/identity/did-key.ts";

let session: BrowserSession;
let page: Page;

beforeAll(async () => {
  session = await launchChromium();
  page = await openModulePage(session, { keystore: "src/core/identity/keystore-indexeddb-browser.ts" });
  await page.evaluate(() => {
    // Raw access to the keystore's record, as any script on the origin has it.
    const inStore = <T>(database: string, mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        const open = indexedDB.open(database);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = act(open.result.transaction("keys", mode).objectStore("keys"));
          request.onerror = () => reject(request.error);
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result);
          };
        };
      });
    (window as unknown as { keyRecord: unknown }).keyRecord = {
      read: (database: string) => inStore(database, "readonly", (store) => store.get("self")),
      write: (database: string, value: unknown) => inStore(database, "readwrite", (store) => store.put(value, "self")),
    };
  });
});

type KeyRecordWindow = { keyRecord: { read(database: string): Promise<any>; write(database: string, value: unknown): Promise<unknown> }; modules: any };

afterAll(async () => {
  await session?.close();
});

interface PageIdentity {
  did: string;
  publicKey: number[];
  keyProtection: string;
}

/** Calls `load` or `loadOrCreate` on a keystore in the page; the identity stays there, by DID, for signing. */
function inPage(database: string, preferWebCrypto: boolean, method: "load" | "loadOrCreate"): Promise<PageIdentity | undefined> {
  return page.evaluate(
    async ({ database, preferWebCrypto, method }) => {
      const w = window as unknown as { modules: any; identities?: Record<string, any> };
      const identity = await new w.modules.keystore.IndexedDbKeystore(database, preferWebCrypto)[method]();
      if (!identity) return undefined;
      (w.identities ??= {})[identity.did] = identity;
      return { did: identity.did, publicKey: Array.from(identity.signingKey.publicKey as Uint8Array), keyProtection: identity.keyProtection };
    },
    { database, preferWebCrypto, method },
  );
}

function toIdentity(shown: PageIdentity): Identity {
  return {
    did: shown.did as Did,
    signingKey: {
      publicKey: Uint8Array.from(shown.publicKey),
      sign: async (message) =>
        Uint8Array.from(
          await page.evaluate(
            async ({ did, message }) => {
              const w = window as unknown as { identities: Record<string, { signingKey: { sign(m: Uint8Array): Promise<Uint8Array> } }> };
              return Array.from(await w.identities[did]!.signingKey.sign(Uint8Array.from(message)));
            },
            { did: shown.did, message: Array.from(message) },
          ),
        ),
    },
  };
}

/** A Keystore in this process whose every call runs the real IndexedDB keystore in Chromium. */
function pageKeystore(database: string, preferWebCrypto: boolean): Keystore {
  return {
    load: async () => {
      const shown = await inPage(database, preferWebCrypto, "load");
      return shown && toIdentity(shown);
    },
    loadOrCreate: async () => toIdentity((await inPage(database, preferWebCrypto, "loadOrCreate"))!),
  };
}

let databases = 0;
for (const preferWebCrypto of [true, false]) {
  describe(`IndexedDB keystore in Chromium (${preferWebCrypto ? "non-extractable WebCrypto key" : "seed fallback"})`, () => {
    let database = "";
    keystoreContract({
      fresh: () => pageKeystore((database = `keystore-test-${databases++}`), preferWebCrypto),
      reopen: () => pageKeystore(database, preferWebCrypto),
    });

    it(`keeps the key as ${preferWebCrypto ? "a non-extractable CryptoKey" : "a seed, and says so"}`, async () => {
      const created = await inPage(`keystore-test-${databases++}`, preferWebCrypto, "loadOrCreate");
      expect(created?.keyProtection).toBe(preferWebCrypto ? "non-extractable" : "seed");
    });
  });
}

describe("IndexedDB keystore in Chromium", () => {
  it("stores a private key that page script cannot export", async () => {
    const database = `keystore-test-${databases++}`;
    await inPage(database, true, "loadOrCreate");
    const exported = await page.evaluate(async (database) => {
      const { privateKey } = (await (window as unknown as KeyRecordWindow).keyRecord.read(database)) as { privateKey: CryptoKey };
      return crypto.subtle.exportKey("pkcs8", privateKey).then(
        () => "exported",
        (error: DOMException) => `${privateKey.extractable}: ${error.name}`,
      );
    }, database);
    expect(exported).toBe("false: InvalidAccessError");
  });

  it("refuses a stored record it did not write, with a clear error", async () => {
    const database = `keystore-test-${databases++}`;
    await inPage(database, true, "loadOrCreate");
    const message = await page.evaluate(async (database) => {
      const w = window as unknown as KeyRecordWindow;
      await w.keyRecord.write(database, { version: 1, kind: "seed", seed: new Uint8Array(5) });
      return new w.modules.keystore.IndexedDbKeystore(database).load().then(
        () => "loaded",
        (error: Error) => `${error.name}: ${error.message}`,
      );
    }, database);
    expect(message).toMatch(/^StoredIdentityUnreadableError: the identity in IndexedDB database 'keystore-test-\d+' is unreadable/);
  });
});
