/**
 * `npm run bench`: runs every bench/<part>.bench.ts in its own process, one after another (the
 * machine has two cores; benchmarks running side by side would measure each other).
 * Each benchmark prints a markdown table with its baseline measured in the same run.
 */
import { readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n## ${file.replace(".bench.ts", "")}\n\n`);
  const result = spawnSync(process.execPath, ["--import", "tsx", "--import", dir + "process-setup.ts", dir + file], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
