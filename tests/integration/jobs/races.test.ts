/**
 * Races the fold settles after the fact: two workers that did not yet see each other's claim both
 * take one replica; when their entries meet, the earlier claim wins and the later worker's claim,
 * commit and reveal are refused. That worker must notice and claim again, or a job that needs it
 * (here: escalated to 4 replicas in a pool of 4 workers) waits for its deadline. Likewise a worker
 * whose reveal the late claim undid (it came before the winner's commit) must reveal again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { bytesToHex, sha256, utf8 } from "../../../src/core/crypto/index.ts";
import { dishonestRunner, type TaskRunner } from "../../../src/core/jobs/runner.ts";
import type { EntryId } from "../../../src/core/ledger/types.ts";
import { alice, bob, carol, dave, mallory } from "../../fixtures/identities.ts";
import { JobNetwork, taskBytes } from "./job-network.ts";
import { until } from "../../fixtures/until.ts";

let net: JobNetwork | undefined;
afterEach(async () => {
  await net?.close();
  net = undefined;
});

const HOUR = 3_600_000;

/** A real runner whose tasks wait for `gate` before they run. */
const gatedRunner =
  (gate: Promise<void>) =>
  (runner: TaskRunner): TaskRunner => ({
    load: (bytes) => runner.load(bytes),
    run: async (task, input) => {
      await gate;
      return runner.run(task, input);
    },
  });

describe("claim races (real repos over MessageChannel, real workers)", () => {
  it("a worker whose claim lost a race it could not see claims again, so an escalated job gets its last replica", async () => {
    net = new JobNetwork();
    await net.createPool();
    const submitter = await net.start("bob", bob, { tasks: false });
    await net.start("carol", carol, { peers: ["bob"], contribute: {} });
    await net.start("mallory", mallory, { peers: ["bob", "carol"], contribute: { runner: dishonestRunner } });
    // Dave works cut off from everyone: he gets the job's entry by hand once carol and mallory
    // have claimed both replicas, so his claim is later than theirs on the same replica.
    const isolated = await net.start("dave", dave, { contribute: {} });
    const input = utf8("raced tile");
    const submitted = await submitter.node.jobs.submit({ module: taskBytes("sha256"), input, replicas: 2, reward: 40, deadline: net.clock.now() + HOUR });
    if (!submitted.ok) throw new Error(submitted.message);
    const job: EntryId = submitted.job;
    const seen = () => submitter.ledger.state.jobs[job]!;
    // Carol and the liar disagree: the job escalates to 4 replicas (alice and dave are needed).
    await until(() => seen().replicas === 4, "carol's and mallory's reveals to escalate the job");
    expect(await isolated.ledger.append([submitter.ledger.entry(job)!])).toMatchObject({ ok: true });
    await until(() => isolated.ledger.state.jobs[job]?.commits[dave.did] !== undefined, "dave's commit on his own copy");

    await net.start("alice", alice, { peers: ["bob"], contribute: {} });
    net.connect("dave", "bob");
    // Without the fix the job sits at 3 commits and 2 reveals until its deadline (15 minutes here).
    await until(() => seen().status !== "open", "the escalated job to settle", 30_000);
    expect(seen().status).toBe("done");
    const state = submitter.ledger.state.jobs[job]!;
    expect(state.verdict!.workers).toEqual([alice.did, carol.did, dave.did].sort());
    expect(state.verdict!.output).toBe(bytesToHex(sha256(sha256(input))));
  }, 60_000);

  it("a worker whose reveal a late claim undid reveals again, so the job settles instead of waiting for its deadline", async () => {
    net = new JobNetwork();
    await net.createPool();
    const submitter = await net.start("bob", bob, { tasks: false });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Dave works cut off from everyone, his task held at the gate: his claim on a replica is the
    // earliest of all, his commit the latest.
    const isolated = await net.start("dave", dave, { contribute: { runner: gatedRunner(gate) } });
    const input = utf8("a verdict undone");
    const submitted = await submitter.node.jobs.submit({ module: taskBytes("sha256"), input, replicas: 2, reward: 40, deadline: net.clock.now() + HOUR });
    if (!submitted.ok) throw new Error(submitted.message);
    const job: EntryId = submitted.job;
    const seen = () => submitter.ledger.state.jobs[job]!;
    expect(await isolated.ledger.append([submitter.ledger.entry(job)!])).toMatchObject({ ok: true });
    await until(() => Object.values(isolated.ledger.state.jobs[job]!.claims).some((c) => c.worker === dave.did), "dave's claim on his own copy");
    // Past the contest window: the claim of whoever takes dave's replica next loses to his once they meet.
    await new Promise<void>((resolve) => net!.clock.setTimeout(() => resolve(), 12_000));
    await net.start("carol", carol, { peers: ["bob"], contribute: {} });
    await net.start("alice", alice, { peers: ["bob", "carol"], contribute: {} });
    await until(() => seen().status === "done", "carol and alice to settle the job without dave");

    // Dave's claim refuses the commit of the one who ran his replica; the other one's reveal came
    // before dave's commit, so the fold refuses it too and the job waits for it again.
    release();
    net.connect("dave", "bob");
    await until(() => seen().commits[dave.did] !== undefined, "dave's commit to reach bob");
    // Without the fix the job sits at 2 commits and dave's reveal until its deadline (15 minutes here).
    await until(() => seen().status === "done", "the job to settle again", 60_000);
    const state = seen();
    expect(state.verdict!.workers).toContain(dave.did);
    expect(state.verdict!.workers).toHaveLength(2);
    expect(state.verdict!.output).toBe(bytesToHex(sha256(sha256(input))));
  }, 120_000);
});
