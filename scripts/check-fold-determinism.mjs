/**
 * The fold must compute the same state on every engine, to the last unit (ledger/README.md,
 * "Determinism"): floating-point transcendental functions, float parsing and randomness differ
 * between engines or runs. This check, part of `npm run check`, refuses them in the fold's modules
 * (everything under src/core/ledger). Comments are ignored.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const ROOTS = ["src/core/ledger"];
const FORBIDDEN = [
  [/\bMath\.(exp|expm1|log|log1p|log2|log10|pow|sqrt|cbrt|hypot|random|sin|cos|tan|atan2?|asin|acos|sinh|cosh|tanh|fround)\b/, "floating-point math"],
  [/\b(Number\.)?parseFloat\s*\(/, "float parsing"],
];

const stripComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " ")).replace(/(^|[^:"'`])\/\/.*$/gm, "$1");

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (path.endsWith(".ts") && !path.endsWith("-node.ts") && !path.endsWith("-browser.ts")) yield path;
  }
}

const problems = [];
for (const root of ROOTS) {
  for (const path of files(root)) {
    const lines = stripComments(readFileSync(path, "utf8")).split("\n");
    lines.forEach((line, i) => {
      for (const [pattern, what] of FORBIDDEN) if (pattern.test(line)) problems.push(`${relative(".", path)}:${i + 1}: ${what} in a fold module: ${line.trim()}`);
    });
  }
}
if (problems.length > 0) {
  process.stderr.write(`${problems.join("\n")}\nThe fold uses integers and BigInt only (ledger/README.md, "Determinism").\n`);
  process.exit(1);
}
