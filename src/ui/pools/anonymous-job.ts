/**
 * An anonymous job from the app (issue 12; ledger/README.md 6.3, "Anonymous submission"), as
 * `edgepool submit --anonymous` does it: a fresh did:key made for this one job asks one of the
 * pool's issuers for a token bound to (pool, that key, the day, purpose "submit"), and writes the
 * job with the token instead of a delegation; the pool's fund pays it. This browser's own identity
 * never appears, and the job travels through a repo of its own (browser-repo.ts `anonymousRepo`:
 * its own documents, storage id, peer id and connections). The key and the job id are kept in
 * IndexedDB (core/jobs/anonymous-keys.ts), so a person can come back for the output after a
 * reload. Loaded only when a job is submitted or followed (it pulls in the node and Privacy Pass).
 */
import { generateSeed } from "../../core/crypto/index.ts";
import type { Did } from "../../core/identity/did-key.ts";
import { anonymousKey, forgetAnonymousJob as forgetKey, keepAnonymousJob } from "../../core/jobs/anonymous-keys.ts";
import type { JobView } from "../../core/jobs/client.ts";
import { openJoinPolicy } from "../../core/ledger/open-join.ts";
import type { Ledger } from "../../core/ledger/ledger.ts";
import { epochOf } from "../../core/ledger/verdict.ts";
import { fetchPoolToken } from "../../core/net/open-join-payment.ts";
import { createNode, type EdgeNode } from "../../core/node.ts";
import { parsePoolId, type PoolId } from "../../core/capability/pool.ts";
import { arrival, connectRelay, openPlainLedger, type Outcome } from "./pool-actions.ts";
import { anonymousRepo, removeAnonymousRepo } from "./browser-repo.ts";
import { appStorage } from "../app-storage.ts";
import type { KeptAnonymousJob } from "./anonymous-kept.ts";
import { JOB_DEADLINE_MS } from "../jobs.svelte.ts";

/** How long a fresh anonymous repo waits for the pool's ledger from the relay. */
const LEDGER_WAIT_MS = 20_000;

export interface AnonymousJob {
  readonly kept: KeptAnonymousJob;
  /** Resolves once the job is done or failed. */
  settled(): Promise<JobView>;
  output(): Promise<Outcome<{ bytes: Uint8Array }>>;
  close(): Promise<void>;
}

/** The pool's ledger in the job's own repo, once the relay has delivered what `arrived` needs. */
async function openJobLedger(did: Did, pool: PoolId, relay: string | undefined, arrived: (state: Ledger["state"]) => boolean): Promise<Outcome<{ ledger: Ledger }>> {
  const repo = await anonymousRepo(did);
  const connected = await connectRelay(relay, repo);
  if (!connected.ok) return connected;
  const opened = await openPlainLedger(repo, pool);
  if (opened.ok) await arrival(opened.ledger, LEDGER_WAIT_MS, arrived);
  return opened;
}

/** A node that signs as the job's key and opens no direct connections (their hello is signed by the node's identity). */
async function jobNode(seed: Uint8Array, ledger: Ledger, tasks: Uint8Array[]): Promise<EdgeNode> {
  return createNode({ identity: anonymousKey(seed), ledger, proof: () => undefined, tasks, checkpoints: false });
}

function handle(kept: KeptAnonymousJob, node: EdgeNode): AnonymousJob {
  return {
    kept,
    settled: () => node.jobs.settled(kept.job),
    async output() {
      const read = await node.jobs.result(kept.job, 10_000);
      return read.ok ? { ok: true, bytes: read.bytes } : { ok: false, message: read.message };
    },
    close: () => node.close(),
  };
}

/** Submits `module` with `input` from a fresh key, and keeps the key and the job id in IndexedDB. */
export async function submitAnonymousJob(poolText: string, relay: string | undefined, module: Uint8Array, input: Uint8Array): Promise<Outcome<{ job: AnonymousJob }>> {
  const parsed = parsePoolId(poolText);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const seed = generateSeed();
  const { did } = anonymousKey(seed);
  // Until the job is written, nothing of this key is worth keeping: a refusal deletes its repo.
  const refused = async (message: string): Promise<Outcome<never>> => {
    await removeAnonymousRepo(did);
    return { ok: false, message };
  };
  const opened = await openJobLedger(did, parsed.pool, relay, (state) => state.pool?.open?.anonymous !== undefined);
  if (!opened.ok) return refused(opened.message);
  const { ledger } = opened;
  const pool = ledger.state.pool;
  const anonymous = pool?.open?.anonymous;
  if (!pool || !anonymous) return refused(pool ? "this pool takes no anonymous jobs" : "the pool's ledger did not arrive from its relay: try again when it is reachable");
  const policy = openJoinPolicy(ledger);
  if (!policy.ok) return refused(policy.message);
  const token = await fetchPoolToken(policy.policy.issuers, { pool: parsed.pool, did, purpose: "submit" }, epochOf(Date.now()));
  if (!token.ok) return refused(token.message);
  const node = await jobNode(seed, ledger, [module]);
  const submitted = await node.jobs.submit({ module, input, replicas: pool.settings.replication, reward: anonymous.maxReward, deadline: Date.now() + JOB_DEADLINE_MS, token: token.token });
  if (!submitted.ok) {
    await node.close();
    return refused(`${submitted.reason}: ${submitted.message}`);
  }
  const kept: KeptAnonymousJob = { pool: parsed.pool, did, seed, relay, job: submitted.job, submitted: Date.now() };
  await keepAnonymousJob(appStorage(), kept);
  return { ok: true, job: handle(kept, node) };
}

/** Follows a kept job again (after a reload) through its own repo and the relay it went through. */
export async function followAnonymousJob(kept: KeptAnonymousJob): Promise<Outcome<{ job: AnonymousJob }>> {
  const opened = await openJobLedger(kept.did, kept.pool, kept.relay, (state) => state.jobs[kept.job] !== undefined);
  if (!opened.ok) return opened;
  return { ok: true, job: handle(kept, await jobNode(kept.seed, opened.ledger, [])) };
}

/** Forgets a kept job: its key, and its repo's copy of the pool's documents. */
export async function forgetAnonymousJob(kept: KeptAnonymousJob): Promise<void> {
  await forgetKey(appStorage(), kept.pool, kept.job);
  await removeAnonymousRepo(kept.did);
}
