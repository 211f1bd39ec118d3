/**
 * Measures the built app (dist/) against UX.md's budgets: the JavaScript the first route loads
 * (the entry script, its modulepreloads and the chunks they import statically) gzipped and
 * brotli-compressed, against 100 KiB (app shell) and
 * 150 KiB (first route) gzipped, and the 300 KB compressed; and every other chunk, loaded
 * only when a screen needs it. Run `npm run build` first, then
 * `node --import tsx src/ui/measure-bundle-node.ts`.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync } from "node:zlib";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
const KIB = 1024;

interface Size {
  readonly file: string;
  readonly raw: number;
  readonly gzip: number;
  readonly brotli: number;
}

function measure(file: string): Size {
  const bytes = readFileSync(join(DIST, file));
  return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, brotli: brotliCompressSync(bytes).length };
}

/** The entry and modulepreloads named by index.html, then the chunks they import statically at start. */
function firstRouteFiles(): string[] {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const named = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(DIST, file), "utf8");
    for (const m of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[^"'()]*?from\s*)?["']\.\/([^"']+\.js)["']/g)) visit(`assets/${m[1]!}`);
  };
  named.forEach(visit);
  return [...seen];
}

const kib = (bytes: number): string => (bytes / KIB).toFixed(1);
const row = (s: Size): string => `| ${s.file} | ${kib(s.raw)} | ${kib(s.gzip)} | ${kib(s.brotli)} |`;

const first = firstRouteFiles().map(measure);
const total = first.reduce((sum, s) => ({ raw: sum.raw + s.raw, gzip: sum.gzip + s.gzip, brotli: sum.brotli + s.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const lazy = readdirSync(join(DIST, "assets"))
  .map((f) => `assets/${f}`)
  .filter((f) => (f.endsWith(".js") || f.endsWith(".wasm")) && !first.some((s) => s.file === f))
  .map(measure);

const lines = [
  "| First route (JS) | raw KiB | gzip KiB | brotli KiB |",
  "|---|---:|---:|---:|",
  ...first.map(row),
  `| **total** | ${kib(total.raw)} | **${kib(total.gzip)}** | ${kib(total.brotli)} |`,
  "",
  `Budgets: app shell <= 100 KiB gzip, first route <= 150 KiB gzip (UX.md), first load < 300 KB compressed (issue 8): ${
    total.gzip <= 100 * KIB ? "all met" : total.gzip <= 150 * KIB ? "first route met, shell over" : "over"
  } (${kib(total.gzip)} KiB gzip, ${(total.gzip / 1000).toFixed(1)} KB).`,
  "",
  "| Loaded on demand | raw KiB | gzip KiB | brotli KiB |",
  "|---|---:|---:|---:|",
  ...lazy.map(row),
];
process.stdout.write(`${lines.join("\n")}\n`);
