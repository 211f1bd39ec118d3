/**
 * A private pool run by real `edgepool` processes through a real relay process: alice creates it
 * and invites (her process has exited before anyone joins: the inviter is offline), bob and carol
 * join from their links, carol works and bob's job runs, alice revokes carol (one change carries
 * the revocation and the new key), compacts (bob follows and restarts from the new ledger epoch;
 * verify proves both), and the relay's stored files show no DID, entry kind, pool name
 * or plaintext; every change has time 0 and every envelope is a Padmé size.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import { Repo, type AutomergeUrl } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { bytesToHex, sha256, utf8 } from "../../../src/core/crypto/index.ts";
import { isPadmeLength } from "../../../src/core/privacy/padme.ts";
import { readEnvelopes, type SealedDoc } from "../../../src/core/privacy/sealed-document.ts";
import { cliProcessesIn, type Run } from "../../fixtures/cli-processes.ts";
import { until } from "../../fixtures/until.ts";
import { relayProcess, stopAll, type RelayProcess } from "../net/processes.ts";

const { dir, start, edgepool: runCli } = cliProcessesIn("edgepool-private-cli-");
const NAME = "Quiet lab 7f3a";

afterAll(stopAll, 30_000);

/** `edgepool ARGS --home DIR/who`: each person's own home. */
const edgepool = (who: string, ...args: string[]): Promise<Run> => runCli(args[0]!, ...args.slice(1), "--home", join(dir, who));

const json = (run: Run) => {
  expect(run.code, run.err).toBe(0);
  return JSON.parse(run.out) as Record<string, any>;
};

/** Every document the relay stored, loaded from its files alone. */
async function storedDocuments(data: string): Promise<A.Doc<SealedDoc>[]> {
  const ids = readdirSync(data, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(data, d.name)).map((rest) => d.name + rest))
    .filter((id) => /^[1-9A-HJ-NP-Za-km-z]{20,}$/.test(id));
  const repo = new Repo({ storage: new NodeFSStorageAdapter(data), network: [] });
  const docs: A.Doc<SealedDoc>[] = [];
  for (const id of ids) docs.push((await repo.find<SealedDoc>(`automerge:${id}` as AutomergeUrl)).doc());
  await repo.shutdown();
  return docs;
}

describe("a private pool through a relay process", () => {
  let relay: RelayProcess;

  it("creates, invites with the inviter offline, joins, works, revokes with a rotation; the relay holds only ciphertext", async () => {
    const data = join(dir, "relay");
    relay = await relayProcess(data);
    const R = ["--relay", relay.url];
    const created = json(await edgepool("alice", "pool", "create", "--name", NAME, "--replication", "1", "--lease-seconds", "10", ...R, "--json"));
    expect(created.private).toBe(true);
    const pool = created.pool as string;
    // Each command is a process that has exited before the next starts: nobody but the relay is online when bob and carol join.
    const forBob = json(await edgepool("alice", "invite", "--pool", pool, "--can", "job/submit", ...R, "--json"));
    const forCarol = json(await edgepool("alice", "invite", "--pool", pool, "--can", "job/run", ...R, "--json"));
    const bob = json(await edgepool("bob", "join", forBob.link, ...R, "--json"));
    const carol = json(await edgepool("carol", "join", forCarol.link, ...R, "--json"));
    expect(bob).toMatchObject({ pool, abilities: ["job/submit"] });

    const worker = start(["work", "--pool", pool, "--cores", "1", "--ignore-cpu-load", "--task-seconds", "60", "--home", join(dir, "carol"), ...R]);
    await until(() => worker.output.err.includes("Contributing to pool"), "carol's worker to start", 90_000);
    const input = join(dir, "input.txt");
    writeFileSync(input, "private work");
    const submitted = json(await edgepool("bob", "submit", "--pool", pool, "--task", "sha256", "--input", input, "--replicas", "1", "--reward", "1", "--wait", "--json", ...R, "--timeout", "30"));
    expect(submitted).toMatchObject({ status: "done", output: { hex: bytesToHex(sha256(utf8("private work"))) } });
    worker.child.kill("SIGTERM");
    await new Promise((resolve) => worker.child.once("exit", resolve));

    const members = json(await edgepool("alice", "members", "--pool", pool, ...R, "--json"));
    expect((members.members as { did: string }[]).map((m) => m.did).sort()).toEqual([created.root, bob.member, carol.member].sort());

    const revoked = await edgepool("alice", "revoke", "--pool", pool, carol.member, ...R);
    expect(revoked.code, revoked.err).toBe(0);
    expect(revoked.err).toMatch(/Rotated the pool's key to epoch 1/);
    expect(json(await edgepool("alice", "ledger", "show", "--pool", pool, "--json")).privacy).toMatchObject({ epoch: 1, sealingEpoch: 1, pendingRotation: false });

    // carol learns only that a rotation happened (that bob reads on is the in-process tests' part).
    json(await edgepool("carol", "members", "--pool", pool, ...R, "--json"));
    expect(json(await edgepool("carol", "ledger", "show", "--pool", pool, "--json")).privacy).toMatchObject({ epoch: 1, sealingEpoch: 0, pendingRotation: true });
    const rotated = json(await edgepool("alice", "rotate", "--pool", pool, ...R, "--json"));
    expect(rotated.epoch).toBe(2);

    // Compaction: a checkpoint naming ledger epoch 1 and a rotation to key epoch 3, whose document
    // carries the sealed start. Bob, away since his job, follows; his next start reads epoch 1 alone.
    expect(json(await edgepool("alice", "ledger", "compact", "--pool", pool, ...R, "--json")).epoch).toBe(1);
    expect(json(await edgepool("alice", "ledger", "show", "--pool", pool, "--json"))).toMatchObject({ epoch: 1, privacy: { epoch: 3, sealingEpoch: 3 } });
    json(await edgepool("bob", "members", "--pool", pool, ...R, "--json", "--timeout", "30"));
    expect(json(await edgepool("bob", "ledger", "show", "--pool", pool, "--json"))).toMatchObject({ epoch: 1, privacy: { epoch: 3, sealingEpoch: 3 } });
    expect(json(await edgepool("alice", "ledger", "verify", "--pool", pool, "--json"))).toMatchObject({ consistent: true, epochs: 2, problems: [] });

    expect(await relay.stop()).toBe(0);
    const needles = [created.root, bob.member, carol.member, NAME, pool, "member.join", "job.submit", "key.rotate", "ucan.revoke", "checkpoint", "private work"];
    const docs = await storedDocuments(data);
    // Four key epochs (the last begins ledger epoch 1), and the task module bob's job named, sealed,
    // when it reached the relay before bob's process ended (carol ships sha256 and never asked for it).
    const blobs = docs.map((doc) => (doc as { bytes?: unknown }).bytes).filter((bytes): bytes is Uint8Array => bytes instanceof Uint8Array);
    expect(docs.length - blobs.length).toBe(4);
    expect(blobs.length).toBeLessThanOrEqual(1);
    const module = readFileSync(join(import.meta.dirname, "../../../public/tasks/sha256.wasm"));
    for (const bytes of blobs) expect(Buffer.from(bytes).indexOf(module.subarray(0, 64))).toBe(-1);
    for (const doc of docs) {
      for (const change of A.getAllChanges(doc)) expect(A.decodeChange(change).time).toBe(0);
      const envelopes = readEnvelopes(doc);
      for (const { value } of envelopes) expect(isPadmeLength((value as Uint8Array).length)).toBe(true);
      const text = JSON.stringify(doc, (_k, v) => (v instanceof Uint8Array ? new TextDecoder("latin1").decode(v) : v));
      for (const needle of needles) expect(text).not.toContain(needle);
    }
    for (const file of readdirSync(data, { recursive: true, withFileTypes: true }).filter((f) => f.isFile())) {
      const raw = new TextDecoder("latin1").decode(readFileSync(join(file.parentPath, file.name)));
      for (const needle of needles) expect(raw).not.toContain(needle);
    }
  }, 900_000);
});
