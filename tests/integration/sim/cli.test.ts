import { afterAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { edgepoolProcess } from "../../fixtures/cli-processes.ts";

const dirs: string[] = [];

const PROCESS_MS = 120_000;
const edgepool = (args: string[]) => edgepoolProcess(args, {}, PROCESS_MS);
/** A test waits as long as its processes may take (under load a start-up alone took over 30 s, the default). */
const waitsFor = (processes: number) => ({ timeout: processes * PROCESS_MS + 10_000 });

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe("edgepool sim", () => {
  it("prints the table on stdout, progress on stderr, and writes the JSON report to --out", waitsFor(1), async () => {
    const dir = await mkdtemp(join(tmpdir(), "edgepool-sim-"));
    dirs.push(dir);
    const out = join(dir, "report.json");
    const run = await edgepool(["sim", "--nodes", "60", "--jobs", "120", "--replicas", "3", "--malicious", "0.2", "--collude", "--churn", "1", "--seed", "7", "--out", out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("simulating 60 members and 120 jobs (seed 7)");
    expect(run.stdout).toMatch(/^wrong results accepted\s+\d+ \(/m);
    expect(run.stdout).toMatch(/^time to verified result\s+mean [\d.]+ s, p50 [\d.]+ s, p99 [\d.]+ s$/m);
    const report = JSON.parse(await readFile(out, "utf8"));
    expect(report.schemaVersion).toBe(1);
    expect(report.config).toMatchObject({ nodes: 60, jobs: 120, seed: 7, adversaries: { malicious: 0.2, collude: true }, churn: { rate: 1 } });
    expect(report.jobs.submitted).toBe(120);
    expect(report.timing.wallSeconds).toBeGreaterThan(0);
  });

  it("refuses a bad option with exit code 2 and says which option", waitsFor(2), async () => {
    const run = await edgepool(["sim", "--malicious", "1.5"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--malicious must be between 0 and 1, got 1.5");
    const dist = await edgepool(["sim", "--task", "normal:3"]);
    expect(dist.code).toBe(2);
    expect(dist.stderr).toContain("--task: bad distribution");
  });
});
