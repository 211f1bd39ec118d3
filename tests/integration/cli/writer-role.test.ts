/**
 * One writer per identity and pool across processes, with the real CLI: while `edgepool work` holds
 * a home's writer role in a pool, a writing command and a second `work` in that pool fail fast
 * (exit 6) naming its pid and what to do; reading commands, and writing in another pool, run beside
 * it; once it stops, writing works again.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliProcessesIn } from "../../fixtures/cli-processes.ts";
import { until } from "../../fixtures/until.ts";
import { ExitCode } from "../../../src/cli/exit-codes.ts";

const { dir, start, edgepool } = cliProcessesIn("edgepool-writer-role-");

describe("the writer role of a CLI home", () => {
  it("refuses a second writer in the pool while `edgepool work` runs, lets readers and other pools in, and frees the role on SIGTERM", async () => {
    const home = ["--home", join(dir, "alice")];
    const created = await edgepool("pool create", "--plain", "--name", "one writer", ...home);
    expect(created.code, created.err).toBe(0);
    const pool = created.out.trim();

    const worker = start(["work", "--pool", pool, "--cores", "1", ...home]);
    await until(() => worker.output.err.includes("Contributing to pool"), "the worker to start");

    const invite = await edgepool("invite", "--pool", pool, "--can", "job/run", ...home);
    expect(invite.code, invite.err).toBe(ExitCode.identityInUse);
    expect(invite.err).toContain(`edgepool invite: another EdgePool process writes as this identity in this pool: pid ${worker.child.pid}, \`edgepool work\``);
    expect(invite.err).toContain(`Stop \`edgepool work\` (pid ${worker.child.pid}) first`);
    const second = await edgepool("work", "--pool", pool, "--cores", "1", ...home);
    expect(second.code, second.err).toBe(ExitCode.identityInUse);

    const shown = await edgepool("ledger show", "--pool", pool, "--json", ...home);
    expect(shown.code, shown.err).toBe(0);
    const listed = await edgepool("jobs", "--pool", pool, "--json", ...home);
    expect(listed.code, listed.err).toBe(0);
    const elsewhere = await edgepool("pool create", "--plain", "--name", "another pool", ...home);
    expect(elsewhere.code, elsewhere.err).toBe(0);

    worker.child.kill("SIGTERM");
    expect(await new Promise((resolve) => worker.child.once("exit", resolve))).toBe(0);
    expect(readdirSync(join(dir, "alice")).filter((name) => name.endsWith(".lock"))).toEqual([]);
    const after = await edgepool("invite", "--pool", pool, "--can", "job/run", ...home);
    expect(after.code, after.err).toBe(0);

    // A holder that died without releasing (SIGKILL, a crash) leaves a stale lock: taken over, and said so.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    writeFileSync(join(dir, "alice", `writer-${pool}.lock`), JSON.stringify({ format: "edgepool-writer-lock", version: 1, pid: Number(dead), token: "00", since: Date.now(), command: "work" }));
    const takeover = await edgepool("invite", "--pool", pool, "--can", "job/run", ...home);
    expect(takeover.code, takeover.err).toBe(0);
    expect(takeover.err).toContain(`Took over the writer lock left by pid ${dead}, \`edgepool work\``);
  }, 180_000);
});
