/**
 * An anonymous job from the app (issue 12; ledger/README.md 6.3, "Anonymous submission"), as
 * `edgepool submit --anonymous` does it: a fresh did:key made for this one job asks one of the
 * pool's issuers for a token bound to (pool, that key, the day, purpose "submit"), and writes the
 * job with the token instead of a delegation; the pool's fund pays it. This browser's own identity
 * never appears. Loaded only when someone opens the anonymous form (it pulls in the node and
 * Privacy Pass), so the first route stays within its budget.
 */
import { generateSeed, seedSigningKey } from "../../core/crypto/index.ts";
import { didFromPublicKey, type Did } from "../../core/identity/did-key.ts";
import type { JobView } from "../../core/jobs/client.ts";
import { openJoinPolicy } from "../../core/ledger/open-join.ts";
import type { EntryId } from "../../core/ledger/types.ts";
import { epochOf } from "../../core/ledger/verdict.ts";
import { fetchPoolToken } from "../../core/net/open-join-payment.ts";
import { createNode, type EdgeNode } from "../../core/node.ts";
import type { Identity } from "../../core/identity/keystore.ts";
import { parsePoolId } from "../../core/capability/pool.ts";
import { openPoolLedger, type Outcome } from "./pool-actions.ts";
import { JOB_DEADLINE_MS } from "../jobs.svelte.ts";

export interface AnonymousJob {
  readonly job: EntryId;
  /** The key used once for this job: the only name the ledger shows. */
  readonly did: Did;
  /** Resolves once the job is done or failed. */
  settled(): Promise<JobView>;
  output(): Promise<Outcome<{ bytes: Uint8Array }>>;
  close(): Promise<void>;
}

/**
 * Submits `module` with `input` from a fresh key. `identity` only opens the pool's ledger here (as
 * reading an open pool's page does); nothing it signs is written.
 */
export async function submitAnonymousJob(identity: Identity, poolText: string, relay: string | undefined, module: Uint8Array, input: Uint8Array): Promise<Outcome<AnonymousJob>> {
  const parsed = parsePoolId(poolText);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const opened = await openPoolLedger(identity, parsed.pool, relay);
  if (!opened.ok) return opened;
  const { ledger } = opened;
  const pool = ledger.state.pool;
  const anonymous = pool?.open?.anonymous;
  if (!pool || !anonymous) return { ok: false, message: "this pool takes no anonymous jobs" };
  const policy = openJoinPolicy(ledger);
  if (!policy.ok) return { ok: false, message: policy.message };
  const signingKey = seedSigningKey(generateSeed());
  const did = didFromPublicKey(signingKey.publicKey);
  const token = await fetchPoolToken(policy.policy.issuers, { pool: parsed.pool, did, purpose: "submit" }, epochOf(Date.now()));
  if (!token.ok) return { ok: false, message: token.message };
  // No direct connections: their hello is signed by the node's identity (the CLI opens none either).
  const node: EdgeNode = await createNode({ identity: { did, signingKey }, ledger, proof: () => undefined, tasks: [module], checkpoints: false });
  const submitted = await node.jobs.submit({ module, input, replicas: pool.settings.replication, reward: anonymous.maxReward, deadline: Date.now() + JOB_DEADLINE_MS, token: token.token });
  if (!submitted.ok) {
    await node.close();
    return { ok: false, message: `${submitted.reason}: ${submitted.message}` };
  }
  const job = submitted.job;
  return {
    ok: true,
    job,
    did,
    settled: () => node.jobs.settled(job),
    async output() {
      const read = await node.jobs.result(job, 10_000);
      return read.ok ? { ok: true, bytes: read.bytes } : { ok: false, message: read.message };
    },
    close: () => node.close(),
  };
}
