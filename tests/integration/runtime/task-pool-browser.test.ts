/**
 * The pool with the browser host in real Chromium: the page imports the runtime as the app's
 * bundler builds it, and the pool starts its Web Workers through the host's own
 * `new Worker(new URL("./task-worker-browser.ts", import.meta.url))`. The worker's modules are
 * transpiled per request (they import nothing outside src/core/runtime).
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import type { Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { launchChromium, type BrowserSession } from "../../e2e/chromium.ts";
import { openModulePage } from "../../e2e/browser-modules.ts";
import type { TaskPool } from "../../../src/core/runtime/index.ts";
import { poolContract } from "./pool-contract.ts";

const RUNTIME = fileURLToPath(new URL("../../../src/core/runtime/", import.meta.url));

/** The bundler names the worker entry assets/task-worker-browser-<hash>.js; its imports sit beside it. */
async function serveWorker(page: Page): Promise<void> {
  await page.route(/\/assets\/[\w-]+\.(js|ts)$/, async (route) => {
    const name = new URL(route.request().url()).pathname.split("/").pop()!;
    const file = name.startsWith("task-worker-browser-") ? "task-worker-browser.ts" : name;
    const source = await readFile(RUNTIME + file, "utf8");
    const js = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true } });
    return route.fulfill({ contentType: "text/javascript", body: js.outputText });
  });
}

let session: BrowserSession;
let page: Page;
beforeAll(async () => {
  session = await launchChromium();
  page = await openModulePage(session, { runtime: "src/core/runtime/index.ts", host: "src/core/runtime/worker-host-browser.ts" });
  await serveWorker(page);
  await page.evaluate(`window.pool = new window.modules.runtime.TaskPool({ host: window.modules.host.createBrowserWorkerHost(), workers: 2 })`);
}, 60_000);
afterAll(async () => {
  await session?.close();
});

poolContract("Web Workers in Chromium", () => ({
  /** Loads and runs in the page's pool; bytes cross the page boundary as plain arrays. */
  run: (module, input, timeoutMs) =>
    page.evaluate(
      async ([module, input, timeoutMs]) => {
        const pool = (window as unknown as { pool: TaskPool }).pool;
        const loaded = await pool.load(new Uint8Array(module));
        if (!loaded.ok) return loaded;
        const result = await pool.run(loaded.task, new Uint8Array(input), { timeoutMs });
        return result.ok ? { ok: true as const, output: [...result.output] } : result;
      },
      [[...module], [...input], timeoutMs] as const,
    ),
}));
