/**
 * Real `edgepool work` processes through a real relay process (`edgepool relay`) on loopback: the
 * pool's root submits from this process; three members joined with `edgepool join` contribute in
 * their own processes. Jobs complete; a worker killed mid-task delays its job, never loses it; a
 * worker that was offline while jobs were submitted catches up when it comes back.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex, sha256, utf8 } from "../../../src/core/crypto/index.ts";
import type { EntryId } from "../../../src/core/ledger/types.ts";
import { mandelbrotInput } from "../../../src/core/runtime/sample-inputs.ts";
import { resolveTask } from "../../../src/cli/job-session.ts";
import { Stage, stopChild, type Member } from "../../../src/cli/local-network.ts";
import { relayProcess, stopAll, type RelayProcess } from "./processes.ts";
import { until } from "../../fixtures/until.ts";

const LONG = { timeout: 180_000 };
const io = { out: () => {}, err: () => {}, env: {} } as never;
let stage: Stage;
let relay: RelayProcess;
let members: Member[];
const working = new Map<string, ChildProcess>();

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "edgepool-workers-"));
  stage = new Stage(dir, io);
  relay = await relayProcess(join(dir, "relay"));
  await stage.createPool(relay.url, { replication: 1, leaseSeconds: 10, uses: 3 });
  members = await Promise.all([1, 2, 3].map((i) => stage.join(i, relay.url)));
}, 120_000);

afterAll(async () => {
  await stage?.stop();
  await stopAll();
  if (stage) await rm(stage.dir, { recursive: true, force: true });
}, 30_000);

const node = () => stage.node!.node;
const job = (id: EntryId) => node().ledger.state.jobs[id];
const work = (member: Member) => working.set(member.did, stage.work(member, relay.url));

async function submit(module: string, inputs: readonly Uint8Array[], replicas: number): Promise<EntryId[]> {
  const bytes = await resolveTask(module);
  const results = await node().jobs.submitMany(inputs.map((input) => ({ module: bytes, input, replicas, reward: 10, deadline: Date.now() + 600_000 })));
  return results.map((r) => {
    if (!r.ok) throw new Error(r.message);
    return r.job;
  });
}

const done = (jobs: readonly EntryId[]) => jobs.every((id) => job(id)?.status === "done");

describe("edgepool work processes through a relay process", () => {
  it("three workers complete jobs, each verified by two of them", LONG, async () => {
    for (const member of members) work(member);
    const inputs = Array.from({ length: 6 }, (_, i) => utf8(`cross-process ${i}`));
    const jobs = await submit("sha256", inputs, 2);
    await until(() => done(jobs), "every job to be done", 150_000);
    for (const [i, id] of jobs.entries()) {
      expect(job(id)!.verdict!.output).toBe(bytesToHex(sha256(sha256(inputs[i]!))));
      expect(job(id)!.verdict!.workers).toHaveLength(2);
    }
  });

  it("a worker killed mid-task delays its job; another runs it once the lease runs out", LONG, async () => {
    // A tile inside the set runs every pixel to the iteration limit: ~1.3 s of CPU to die in. No
    // bigger: the successor runs it again within `edgepool work`'s task limit (60 s of wall time),
    // which the 128 x 128 tile (5 s of CPU) can overrun at nice 15 under load 30.
    // One worker at a time: with three running, two can claim the tile in one wave, and the claim
    // the fold keeps (the earlier one) may reach this node after the one the test would kill.
    const [doomed, successor] = members;
    for (const member of members.slice(1)) await stopChild(working.get(member.did)!);
    for (const member of members.slice(1)) working.delete(member.did);
    const tile = mandelbrotInput({ xMin: -0.2, yMin: -0.2, xMax: 0.2, yMax: 0.2, width: 64, height: 64, maxIterations: 40_000 });
    const [id] = await submit("mandelbrot", [tile], 1);
    await until(() => job(id!)?.claims[0] !== undefined, "a worker to claim the tile", 60_000);
    const { worker, until: leaseEnd } = job(id!)!.claims[0]!;
    expect(worker).toBe(doomed!.did);
    await stopChild(working.get(worker)!, "SIGKILL");
    working.delete(worker);
    work(successor!);
    await until(() => done([id!]), "another worker to finish the tile", 150_000);
    const verdict = job(id!)!.verdict!;
    expect(verdict.workers).toEqual([successor!.did]);
    expect(verdict.time).toBeGreaterThan(leaseEnd);
  });

  it("a worker offline while jobs were submitted runs them when it comes back", LONG, async () => {
    await Promise.all([...working.values()].map((child) => stopChild(child)));
    working.clear();
    const jobs = await submit("sha256", [utf8("while away 1"), utf8("while away 2")], 1);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(jobs.map((id) => job(id)!.status)).toEqual(["open", "open"]);
    const [returning] = members;
    work(returning!);
    await until(() => done(jobs), "the returning worker to run what was submitted while it was away", 150_000);
    for (const id of jobs) expect(job(id)!.verdict!.workers).toEqual([returning!.did]);
  });
});
