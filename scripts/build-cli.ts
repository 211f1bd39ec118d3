/**
 * Bundles the CLI (src/cli/main.ts and the Node task worker) into .build/cli with its dependencies.
 * Through tsx every `edgepool` process compiles and resolves ~200 TypeScript modules at start-up
 * (~2.2 s CPU for `edgepool ledger show --help` here); from a bundle of our sources alone it took
 * ~0.75 s, from one that includes the dependencies ~0.4 s.
 * The tests start hundreds of such processes, and worker threads (the Node task worker's shim) and
 * ledger peers likewise. All run the bundle only while it is fresh (scripts/cli-bundle.mjs).
 *
 * `node --import tsx scripts/build-cli.ts` (part of `npm run build`); the Vitest global setup calls `buildCli`.
 */
import { build, type Plugin } from "esbuild";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const CLI_BUNDLE = join(ROOT, ".build", "cli");

/**
 * Workers whose source is loaded through a plain-JS shim that registers tsx in the thread: the
 * bundle builds each worker from its TypeScript as an entry of its own and points the shim's URL
 * at that entry instead.
 */
const WORKER_SHIMS = new Map<string, string>([[join(ROOT, "src/core/runtime/task-worker-node.mjs"), "task-worker-node"]]);

/**
 * The cross-process tests' ledger peer (tests/integration/net/processes.ts starts several per test):
 * built with the CLI, it shares its chunks and its freshness check.
 */
const LEDGER_PEER = join(ROOT, "tests/integration/net/ledger-peer.ts");

/** Packages left out of the bundle: they load files that sit beside their own in node_modules. */
const EXTERNAL = ["@automerge/automerge", "@automerge/automerge/*", "node-datachannel", "node-datachannel/*", "cbor-extract"];

/** A file from an older build is removed only when this old, so a process started from it can still load its chunks. */
const STALE_AFTER_MS = 10 * 60_000;

/**
 * `new URL("./x", import.meta.url)` means "x next to this source file"; in the bundle,
 * import.meta.url is a file in .build/cli, so the path is rewritten to reach the same file from there.
 */
const relocateFileUrls: Plugin = {
  name: "relocate-file-urls",
  setup(builder) {
    builder.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      const contents = text.replace(/new URL\((["'])(\.\.?\/[^"']*)\1, import\.meta\.url\)/g, (_match, quote: string, path: string) => {
        const target = resolve(dirname(args.path), path);
        const worker = WORKER_SHIMS.get(target);
        const moved = worker ? `./${worker}.mjs` : relative(CLI_BUNDLE, target).split(sep).join("/") + (path.endsWith("/") ? "/" : "");
        return `new URL(${quote}${moved}${quote}, import.meta.url)`;
      });
      return { contents, loader: "ts" };
    });
  },
};

/** Writes a file by renaming a complete copy over it, so a process starting meanwhile never reads half of it. */
function writeWhole(path: string, contents: Buffer): void {
  try {
    if (readFileSync(path).equals(contents)) return;
  } catch {
    // not there yet
  }
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, contents);
  renameSync(partial, path);
}

export async function buildCli(): Promise<void> {
  const startedAt = new Date();
  const entryPoints: Record<string, string> = { main: join(ROOT, "src/cli/main.ts"), "ledger-peer": LEDGER_PEER };
  for (const [shim, name] of WORKER_SHIMS) entryPoints[name] = shim.replace(/\.mjs$/, ".ts");
  const result = await build({
    entryPoints,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Dependencies are bundled too (module resolution and loading was half of a process's start-up),
    // but for those that load files next to their own: native addons and Automerge's wasm.
    external: EXTERNAL,
    // Bundled CommonJS dependencies `require` Node's built-ins; an ES module has no `require` of its own.
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
    absWorkingDir: ROOT,
    outdir: CLI_BUNDLE,
    outExtension: { ".js": ".mjs" },
    write: false,
    metafile: true,
    logLevel: "warning",
    plugins: [relocateFileUrls],
  });
  mkdirSync(CLI_BUNDLE, { recursive: true });
  const written = new Set<string>();
  for (const file of result.outputFiles) {
    writeWhole(file.path, Buffer.from(file.contents));
    written.add(file.path);
  }
  for (const name of readdirSync(CLI_BUNDLE)) {
    const path = join(CLI_BUNDLE, name);
    if (!written.has(path) && name !== "inputs.json" && Date.now() - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { force: true });
  }
  const stamp = join(CLI_BUNDLE, "inputs.json");
  writeWhole(stamp, Buffer.from(JSON.stringify(Object.keys(result.metafile.inputs).map((input) => relative(ROOT, resolve(ROOT, input)).split(sep).join("/")))));
  utimesSync(stamp, startedAt, startedAt);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildCli();
