/**
 * A node's own entries go as batches: one append, one Automerge change, one sync round for many
 * entries (the protocol's throughput is bounded by changes, not by entries).
 */
import * as A from "@automerge/automerge";
import { afterEach, describe, expect, it } from "vitest";
import { utf8 } from "../../../src/core/crypto/index.ts";
import type { EntryId } from "../../../src/core/ledger/types.ts";
import { bob, carol } from "../../fixtures/identities.ts";
import { JobNetwork, taskBytes } from "./job-network.ts";
import { until } from "../../fixtures/until.ts";

let net: JobNetwork | undefined;
afterEach(async () => {
  await net?.close();
  net = undefined;
});

type Holder = { ledger: { handle: { doc(): unknown } } };
const docOf = (node: Holder) => node.ledger.handle.doc() as A.Doc<unknown>;
const changesOf = (node: Holder): number => A.getAllChanges(docOf(node)).length;
/** The hash of the document change that wrote the entry stored under `key` (entries are keyed by id). */
const changeWriting = (node: Holder, key: string): string | undefined =>
  A.getAllChanges(docOf(node))
    .map((c) => A.decodeChange(c))
    .find((c) => c.ops.some((op) => "key" in op && op.key === key))?.hash;

describe("batched own entries (real repos over MessageChannel, real workers)", () => {
  it("submits a batch of jobs as one change with consecutive sequence numbers", async () => {
    net = new JobNetwork();
    await net.createPool();
    const submitter = await net.start("bob", bob);
    const before = changesOf(submitter);
    const deadline = net.clock.now() + 3_600_000;
    const results = await submitter.node.jobs.submitMany(Array.from({ length: 5 }, (_, i) => ({ module: taskBytes("sha256"), input: utf8(`job ${i}`), replicas: 1, reward: 2, deadline })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(changesOf(submitter)).toBe(before + 1);
    const seqs = results.map((r) => submitter.ledger.entry((r as { job: EntryId }).job)!.entry.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    expect(submitter.ledger.state.accounts[bob.did]!.spent).toBe(10);
  }, 30_000);

  it("a worker commits and reveals a one-replica job in one change", async () => {
    net = new JobNetwork();
    await net.createPool();
    const submitter = await net.start("bob", bob, { tasks: false });
    const worker = await net.start("carol", carol, { peers: ["bob"], contribute: {} });
    const submitted = await submitter.node.jobs.submit({ module: taskBytes("sha256"), input: utf8("one change"), replicas: 1, reward: 2, deadline: net.clock.now() + 3_600_000 });
    if (!submitted.ok) throw new Error(submitted.message);
    await until(() => submitter.ledger.state.jobs[submitted.job]!.status === "done", "the job to be done");
    const own = (kind: string) => worker.ledger.entries().find((s) => s.entry.author === carol.did && s.entry.kind === kind)!.id;
    const [commit, reveal] = [changeWriting(worker, own("result.commit")), changeWriting(worker, own("result.reveal"))];
    expect(commit).toBeDefined();
    expect(reveal).toBe(commit);
  }, 60_000);
});
