/**
 * Runs source modules of ours in real Chromium: Vite bundles the given entries (bare imports such
 * as @noble/* resolved, as in the app) into memory, and a page on http://localhost:9 (a secure
 * context, so WebCrypto and IndexedDB work; never contacted: every request is answered here)
 * loads them. In the page, `window.modules[name]` is the entry's namespace.
 */
import { build, type Rolldown } from "vite";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import type { BrowserSession } from "./chromium.ts";

export const MODULE_ORIGIN = "http://localhost:9";
const REPO = fileURLToPath(new URL("../..", import.meta.url));

/** Path -> code of a chunk, or bytes of an asset (the Automerge wasm). */
type Bundle = ReadonlyMap<string, string | Uint8Array>;
const bundles = new Map<string, Promise<Bundle>>();

/** `entries` maps a name to a path from the repo root, e.g. `{ keystore: "src/core/identity/keystore-indexeddb-browser.ts" }`. */
function bundle(entries: Readonly<Record<string, string>>): Promise<Bundle> {
  const key = JSON.stringify(Object.entries(entries).sort());
  let built = bundles.get(key);
  if (!built) {
    built = bundleNow(entries);
    bundles.set(key, built);
  }
  return built;
}

async function bundleNow(entries: Readonly<Record<string, string>>): Promise<Bundle> {
  const result = await build({
    configFile: false,
    root: REPO,
    logLevel: "silent",
    build: {
      write: false,
      target: "es2022",
      minify: false,
      modulePreload: false,
      rolldownOptions: {
        input: Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, `${REPO}/${path}`])),
        preserveEntrySignatures: "exports-only",
        output: { format: "es", entryFileNames: "[name].js", chunkFileNames: "chunk-[hash].js" },
      },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const files = new Map<string, string | Uint8Array>();
  for (const { output } of outputs) {
    for (const file of output) files.set(`/${file.fileName}`, file.type === "chunk" ? file.code : typeof file.source === "string" ? file.source : new Uint8Array(file.source));
  }
  return files;
}

/** A new page in `session` with every entry imported into `window.modules`. */
export async function openModulePage(session: BrowserSession, entries: Readonly<Record<string, string>>): Promise<Page> {
  const files = await bundle(entries);
  const page = await session.newPage();
  await page.route(`${MODULE_ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    const code = files.get(path);
    return code === undefined
      ? route.fulfill({ contentType: "text/html", body: "<!doctype html><title>modules</title>" })
      : route.fulfill({ contentType: path.endsWith(".wasm") ? "application/wasm" : "text/javascript", body: typeof code === "string" ? code : Buffer.from(code) });
  });
  await page.goto(`${MODULE_ORIGIN}/`);
  // A string, so the test runner's transform leaves the page's own dynamic imports alone.
  const names = JSON.stringify(Object.keys(entries));
  await page.evaluate(`(async () => {
    window.modules = {};
    for (const name of ${names}) window.modules[name] = await import("/" + name + ".js");
  })()`);
  return page;
}
