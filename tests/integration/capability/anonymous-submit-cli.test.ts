/**
 * Anonymous submission through the CLI (issue 12; ledger/README.md 6.3): an owner creates an open
 * pool that takes anonymous jobs and works on it; someone with no membership submits with
 * `--anonymous`, fetching a token from a real issuer, and gets the verified output back. The ledger
 * names only the ephemeral key, which the submitter keeps, and the submission travels through a
 * copy of the pool's documents of its own, so nothing the submitting node's member sessions hold
 * leaves through it. The relay is an `edgepool relay` process, the issuer runs on loopback, the
 * worker is an `edgepool work` process; everything is stopped and removed after the file. An admin
 * turns anonymous jobs on and off later with `edgepool pool anonymous`.
 */
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keptAnonymousJob, anonymousJobsDir } from "../../../src/cli/anonymous-jobs-home.ts";
import { parsePoolId } from "../../../src/core/capability/pool.ts";
import { bytesToHex, seedSigningKey, sha256, utf8 } from "../../../src/core/crypto/index.ts";
import { generateIssuerKey, issuerKeyFromPem } from "../../../src/core/crypto/blind-rsa-issuer-node.ts";
import { didFromPublicKey } from "../../../src/core/identity/did-key.ts";
import { anonymousRepoPrefix, type AnonymousJobKey } from "../../../src/core/jobs/anonymous-keys.ts";
import { automergeDir } from "../../../src/core/ledger/home-node.ts";
import type { EntryId } from "../../../src/core/ledger/types.ts";
import { startTokenIssuer, type RunningTokenIssuer } from "../../../src/core/net/token-issuer-node.ts";
import { edgepoolInProcess } from "../../fixtures/cli.ts";
import { cliProcessesIn } from "../../fixtures/cli-processes.ts";
import { until } from "../../fixtures/until.ts";

const { dir, start } = cliProcessesIn("edgepool-anonymous-submit-");
let relayUrl: string;
let issuer: RunningTokenIssuer;

beforeAll(async () => {
  const relay = start(["relay", "--port", "0", "--data", join(dir, "relay")]);
  const key = issuerKeyFromPem(generateIssuerKey());
  if (!key.ok) throw new Error(key.message);
  // Every client here is 127.0.0.1, one account: room for the tokens this file asks for.
  issuer = await startTokenIssuer({ host: "127.0.0.1", port: 0, key: key.key, tokensPerWindow: 5 });
  await until(() => /^ws:\/\/\S+/.test(relay.output.out), "the relay to listen", 120_000);
  relayUrl = relay.output.out.split("\n")[0]!.trim();
});

afterAll(async () => {
  await issuer.close();
});

const home = (name: string) => ["--home", join(dir, name), "--relay", relayUrl];

const silent = { out: () => {}, err: () => {}, env: {}, stdinIsTty: false };

/** The anonymous job `job` as the home `name` keeps it, with the DID its key signs as. */
async function kept(name: string, pool: string, job: string): Promise<AnonymousJobKey & { did: string }> {
  const found = await keptAnonymousJob(join(dir, name), silent, (parsePoolId(pool) as { pool: AnonymousJobKey["pool"] }).pool, job as EntryId);
  if (!found) throw new Error(`${name} keeps no anonymous job ${job}`);
  return { ...found, did: didFromPublicKey(seedSigningKey(found.seed).publicKey) };
}

/** How many items the job key's own copy of the pool's documents holds in the home `name`. */
const namespaceItems = async (name: string, did: string): Promise<number> => (await new NodeFSStorageAdapter(automergeDir(join(dir, name))).loadRange(anonymousRepoPrefix(did))).length;

describe("edgepool submit --anonymous", () => {
  it("submits from an ephemeral key with an issuer's token; the owner's worker runs it and the output comes back", async () => {
    const created = await edgepoolInProcess(["pool", "create", "--name", "anonymous jobs", "--open", "--pow-bits", "8", "--issuer", issuer.url, "--anonymous-reward", "20", "--replication", "1", "--lease-seconds", "10", ...home("owner")]);
    expect(created.code, created.err.join("\n")).toBe(0);
    const pool = created.out[0]!.trim();
    const worker = start(["work", "--pool", pool, "--cores", "1", "--ignore-cpu-load", ...home("owner")]);
    await until(() => worker.output.err.includes("Contributing to pool"), "the worker to start", 120_000);

    const input = join(dir, "input.txt");
    writeFileSync(input, "anonymous hello");
    // Asking more than the pool's fund pays is refused before a token is spent.
    const greedy = await edgepoolInProcess(["submit", "--anonymous", "--pool", pool, "--task", "sha256", "--input", input, "--reward", "21", ...home("anon")]);
    expect(greedy.code, greedy.err.join("\n")).toBe(2);

    const submitted = await edgepoolInProcess(["submit", "--anonymous", "--pool", pool, "--task", "sha256", "--input", input, "--replicas", "1", "--wait", "--json", ...home("anon")]);
    expect(submitted.code, submitted.err.join("\n")).toBe(0);
    const answer = JSON.parse(submitted.out[0]!) as { job: string; status: string; output: { hex: string } };
    expect(answer).toMatchObject({ status: "done", output: { hex: bytesToHex(sha256(utf8("anonymous hello"))) } });

    // The ledger names the ephemeral key, never the submitting node's identity; the fund paid.
    const key = await kept("anon", pool, answer.job);
    expect(statSync(anonymousJobsDir(join(dir, "anon"))).mode & 0o777).toBe(0o700);
    const listed = await edgepoolInProcess(["jobs", "--pool", pool, "--json", ...home("owner")]);
    expect(JSON.parse(listed.out[0]!).jobs).toEqual([expect.objectContaining({ id: answer.job, submitter: key.did, status: "done" })]);
    // The job is done and the relay holds it: its own copy of the pool's documents is gone.
    expect(await namespaceItems("anon", key.did)).toBe(0);
    const identity = await edgepoolInProcess(["id", "--json", "--home", join(dir, "anon")]);
    const anonDid = (JSON.parse(identity.out[0]!) as { did: string }).did;
    const shown = await edgepoolInProcess(["ledger", "show", "--pool", pool, "--json", "--home", join(dir, "owner")]);
    expect(shown.out.join("\n")).not.toContain(anonDid);
    expect(key).toMatchObject({ pool, relay: relayUrl });

    // Anyone may read the output by job id: it is public in an open pool. The submitter's node
    // reads it as the job's key, through a copy of its own that it deletes again.
    const fetched = await edgepoolInProcess(["result", answer.job, "--pool", pool, ...home("anon")]);
    expect(fetched.out[0]!.trim()).toBe(bytesToHex(sha256(utf8("anonymous hello"))));
    expect(await namespaceItems("anon", key.did)).toBe(0);
    const member = await edgepoolInProcess(["result", answer.job, "--pool", pool, ...home("owner")]);
    expect(member.out[0]!.trim()).toBe(bytesToHex(sha256(utf8("anonymous hello"))));
  }, 300_000);

  it("never carries the submitting node's own unsynced entries: the job travels through documents of its own", async () => {
    const created = await edgepoolInProcess(["pool", "create", "--name", "separate", "--open", "--pow-bits", "8", "--issuer", issuer.url, "--anonymous-reward", "20", ...home("owner")]);
    expect(created.code, created.err.join("\n")).toBe(0);
    const pool = created.out[0]!.trim();
    const input = join(dir, "separate.txt");
    writeFileSync(input, "separate");
    // The owner's own job, written offline: only the owner's store holds it.
    const queued = await edgepoolInProcess(["submit", "--pool", pool, "--task", "sha256", "--input", input, "--home", join(dir, "owner")]);
    expect(queued.code, queued.err.join("\n")).toBe(0);

    const anonymous = await edgepoolInProcess(["submit", "--anonymous", "--pool", pool, "--task", "sha256", "--input", input, ...home("owner")]);
    expect(anonymous.code, anonymous.err.join("\n")).toBe(0);
    const job = anonymous.out[0]!.trim();

    // A fresh node syncs the pool from the relay: it holds the anonymous job, not the owner's queued one.
    const read = await edgepoolInProcess(["result", job, "--pool", pool, ...home("reader")]);
    expect(read.err.join("\n")).toContain(`job ${job} is`);
    const shown = await edgepoolInProcess(["ledger", "show", "--pool", pool, "--json", "--home", join(dir, "reader")]);
    expect((JSON.parse(shown.out[0]!) as { jobs: { id: string }[] }).jobs.map((j) => j.id)).toEqual([job]);
    // Not done yet: the job's copy stays, beside the owner's own documents.
    expect(await namespaceItems("owner", (await kept("owner", pool, job)).did)).toBeGreaterThan(0);
  }, 120_000);

  it("pool anonymous: an admin turns anonymous jobs on, changes the cap and turns them off; others cannot", async () => {
    const created = await edgepoolInProcess(["pool", "create", "--name", "later anonymous", "--open", "--pow-bits", "8", "--issuer", issuer.url, ...home("owner")]);
    expect(created.code, created.err.join("\n")).toBe(0);
    const pool = created.out[0]!.trim();
    const setting = async (...flags: string[]) => {
      const run = await edgepoolInProcess(["pool", "anonymous", "--pool", pool, ...flags, "--json", ...home("owner")]);
      expect(run.code, run.err.join("\n")).toBe(0);
      return JSON.parse(run.out[0]!) as { enabled: boolean; maxReward: number | null };
    };
    const input = join(dir, "later.txt");
    writeFileSync(input, "later");
    const submit = () => edgepoolInProcess(["submit", "--anonymous", "--pool", pool, "--task", "sha256", "--input", input, ...home("anon")]);

    expect(await setting()).toEqual({ schemaVersion: 1, pool, enabled: false, maxReward: null });
    expect((await submit()).code).toBe(4);
    // Turning them on needs a cap; a non-member cannot change the setting.
    expect((await edgepoolInProcess(["pool", "anonymous", "--pool", pool, "--enable", ...home("owner")])).code).toBe(2);
    expect((await edgepoolInProcess(["pool", "anonymous", "--pool", pool, "--enable", "--max-reward", "5", ...home("anon")])).code).toBe(4);
    expect(await setting("--enable", "--max-reward", "7")).toMatchObject({ enabled: true, maxReward: 7 });
    expect(await setting("--max-reward", "9")).toMatchObject({ enabled: true, maxReward: 9 });
    // The submitter's node sees the cap through the relay: more than 9 is refused before a token is spent.
    const greedy = await edgepoolInProcess(["submit", "--anonymous", "--pool", pool, "--task", "sha256", "--input", input, "--reward", "10", ...home("anon")]);
    expect(greedy.code, greedy.err.join("\n")).toBe(2);
    expect(await setting("--disable")).toMatchObject({ enabled: false, maxReward: null });
    expect((await submit()).code).toBe(4);
  }, 120_000);
});
