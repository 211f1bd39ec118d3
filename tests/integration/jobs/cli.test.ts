/**
 * The job commands as separate processes on loopback: a relay, a pool's root that submits, and a
 * member that works, each with its own --home. Every process is stopped and every directory removed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliProcessesIn } from "../../fixtures/cli-processes.ts";
import { until } from "../../fixtures/until.ts";
import { bytesToHex, sha256, utf8 } from "../../../src/core/crypto/index.ts";

const { dir, start, edgepool } = cliProcessesIn("edgepool-jobs-cli-");

describe("edgepool submit, work, jobs, result (real processes through a relay)", () => {
  it("a member's worker runs a submitted job; the submitter waits for the verified output; work status, pause and stop", async () => {
    const relay = start(["relay", "--port", "0", "--data", join(dir, "relay")]);
    await until(() => /^ws:\/\/\S+/.test(relay.output.out), "the relay to listen");
    const url = relay.output.out.split("\n")[0]!.trim();
    const [owner, member] = [join(dir, "owner"), join(dir, "member")];

    const created = await edgepool("pool create", "--plain", "--name", "cli", "--replication", "1", "--lease-seconds", "10", "--home", owner, "--relay", url);
    expect(created.code, created.err).toBe(0);
    const pool = created.out.trim();
    const invited = await edgepool("invite", "--pool", pool, "--can", "job/run", "--home", owner, "--relay", url);
    expect(invited.code, invited.err).toBe(0);
    const joined = await edgepool("join", invited.out.trim(), "--home", member, "--relay", url);
    expect(joined.code, joined.err).toBe(0);

    const worker = start(["work", "--pool", pool, "--cores", "1", "--home", member, "--relay", url]);
    await until(() => worker.output.err.includes("Contributing to pool"), "the worker to start");

    const input = join(dir, "input.txt");
    writeFileSync(input, "hello pool");
    const submitted = await edgepool("submit", "--pool", pool, "--task", "sha256", "--input", input, "--replicas", "1", "--reward", "5", "--wait", "--json", "--home", owner, "--relay", url);
    expect(submitted.code, submitted.err).toBe(0);
    const answer = JSON.parse(submitted.out) as { schemaVersion: number; job: string; status: string; output: { hex: string } };
    expect(answer).toMatchObject({ schemaVersion: 1, status: "done", output: { hex: bytesToHex(sha256(utf8("hello pool"))) } });

    const listed = await edgepool("jobs", "--pool", pool, "--json", "--home", owner);
    expect(JSON.parse(listed.out).jobs).toEqual([expect.objectContaining({ id: answer.job, status: "done", replicas: 1, reveals: 1 })]);
    const fetched = await edgepool("result", answer.job, "--pool", pool, "--home", owner);
    expect(fetched.out.trim()).toBe(bytesToHex(sha256(utf8("hello pool"))));
    expect(worker.output.out).toMatch(new RegExp(`${answer.job} settled: agreed`));

    const status = async () => JSON.parse((await edgepool("work status", "--json", "--home", member)).out) as { state: string; reason: string; settled: { agreed: number } };
    await until(async () => (await status()).settled.agreed === 1, "the status file to count the job");
    // Running, or paused by this busy shared machine's load (cpu-busy): either way a reason code.
    expect(["running", "cpu-busy"]).toContain((await status()).reason);
    expect((await edgepool("work pause", "--for", "1h", "--home", member)).code).toBe(0);
    await until(async () => (await status()).reason === "paused-until", "the worker to pause");

    worker.child.kill("SIGTERM");
    const code = await new Promise((resolve) => worker.child.once("exit", resolve));
    expect(code).toBe(0);
    const stopped = await edgepool("work status", "--json", "--home", member);
    expect(stopped.code).toBe(1);
    expect(JSON.parse(stopped.out)).toMatchObject({ state: "stopped", reason: "not-running" });
  }, 240_000);
});
