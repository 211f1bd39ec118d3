/**
 * `edgepool submit --anonymous` (open pools; ledger/README.md 6.3, "Anonymous submission"): the job
 * is written by a fresh ephemeral did:key that spends a token from one of the pool's issuers, so
 * the pool never sees this node's DID. The session that carries it keeps its own copy of the pool's
 * documents under a namespace of the home's store, named by the job's key (as the app does: its
 * own documents, storage id and random peer id), and opens no direct connections (their hello
 * names the node's DID). The ephemeral key is kept (anonymous-jobs-home.ts) so its holder can
 * later prove the job was theirs; `edgepool result` follows the job through the same namespace.
 * The namespace is deleted once the job is done or failed and the relay holds everything in it,
 * or at once when no job was written; until then it may hold the only copy of a queued job.
 */
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import type { PoolId } from "../core/capability/pool.ts";
import { generateSeed } from "../core/crypto/index.ts";
import { anonymousKey, anonymousRepoPrefix, keepAnonymousJob, type AnonymousJobKey } from "../core/jobs/anonymous-keys.ts";
import { automergeDir } from "../core/ledger/home-node.ts";
import { openJoinPolicy } from "../core/ledger/open-join.ts";
import type { EntryId } from "../core/ledger/types.ts";
import { epochOf, type JobStatus } from "../core/ledger/verdict.ts";
import { fetchPoolToken } from "../core/net/open-join-payment.ts";
import { createNode } from "../core/node.ts";
import { bundledTasks } from "../core/node-node.ts";
import { stringOption, type CliIo, type ParsedArgs } from "./command.ts";
import { anonymousJobStore, anonymousJobsDir } from "./anonymous-jobs-home.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { resolveHome } from "./home.ts";
import type { JobSession } from "./job-session.ts";
import { openPool, poolArgument, requirePool, type PoolSession } from "./pool-ledger.ts";

export interface AnonymousSession extends JobSession {
  /** The token this submission spends, bound to the ephemeral DID. */
  readonly token: Uint8Array;
  /** The largest reward the pool lets an anonymous job offer (the fund pays it). */
  readonly maxReward: number;
  /** Keeps the ephemeral key in the home's store, named by the job; returns the directory. */
  keep(job: EntryId): Promise<string>;
}

const FINAL: ReadonlySet<JobStatus | undefined> = new Set(["done", "failed"] as const);

/**
 * The pool's ledger in the job key's own namespace and a node signing as that key. On close, the
 * namespace is deleted when `job()` names no job (nothing written), or names one that is done or
 * failed once the relay holds everything.
 */
async function openKeySession(args: ParsedArgs, io: CliIo, pool: PoolId, seed: Uint8Array, job: () => EntryId | undefined, check: (session: PoolSession) => void): Promise<JobSession> {
  const { did, signingKey } = anonymousKey(seed);
  const prefix = anonymousRepoPrefix(did);
  const remove = () => new NodeFSStorageAdapter(automergeDir(resolveHome(args, io))).removeRange(prefix);
  const session = await openPool(args, io, pool, { namespace: prefix, readOnly: true });
  try {
    check(session);
    const tasks = (await bundledTasks()).map((t) => t.bytes);
    const node = await createNode({ identity: { did, signingKey }, ledger: session.ledger, proof: () => undefined, tasks });
    return {
      session,
      node,
      async close() {
        const written = job();
        const finished = written !== undefined && FINAL.has(node.jobs.status(written)?.status) && (await session.sync());
        await node.close();
        await session.close();
        if (written === undefined || finished) await remove();
      },
    };
  } catch (error) {
    await session.close();
    await remove();
    throw error;
  }
}

export async function openAnonymousNode(args: ParsedArgs, io: CliIo, usage: string, reward: (maxReward: number) => number): Promise<AnonymousSession> {
  const pool = poolArgument(args, usage);
  const seed = generateSeed();
  let written: EntryId | undefined;
  let maxReward = 0;
  const opened = await openKeySession(args, io, pool, seed, () => written, (session) => {
    const open = requirePool(session).open;
    if (!open) throw new CliError(`pool ${pool} is invite-only: anonymous submission is for open pools`, ExitCode.noPermission);
    if (!open.anonymous) throw new CliError(`pool ${pool} takes no anonymous submissions (an admin enables them with edgepool pool create --anonymous-reward, or a pool.anonymous entry)`, ExitCode.noPermission);
    // Checked before a token is spent on a job the pool would refuse.
    if (reward(open.anonymous.maxReward) > open.anonymous.maxReward) throw new CliError(`this pool's fund pays at most ${open.anonymous.maxReward} credits for an anonymous job: lower --reward`, ExitCode.usage);
    maxReward = open.anonymous.maxReward;
  });
  let token: Uint8Array;
  try {
    token = await submissionToken(opened, io);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return {
    ...opened,
    token,
    maxReward,
    async keep(job) {
      written = job;
      const home = resolveHome(args, io);
      await keepAnonymousJob(await anonymousJobStore(home, io), { pool, job, seed, relay: stringOption(args, "relay"), submitted: Date.now() });
      return anonymousJobsDir(home);
    },
  };
}

/** A token from one of the pool's issuers, bound to the job's key. */
async function submissionToken({ session, node }: JobSession, io: CliIo): Promise<Uint8Array> {
  const policy = openJoinPolicy(session.ledger);
  if (!policy.ok) throw new CliError(policy.message, ExitCode.noPermission);
  const fetched = await fetchPoolToken(policy.policy.issuers, { pool: session.pool, did: node.did, purpose: "submit" }, epochOf(Date.now()), (url) =>
    io.err(`Asking ${url} for a submission token (it learns that someone asks, not for which key)…`),
  );
  if (!fetched.ok) throw new CliError(fetched.message, ExitCode.noPermission);
  return fetched.token;
}

/** Follows a job this home submitted anonymously (`edgepool result`): through its key's namespace, as the key. */
export const followAnonymousJob = (args: ParsedArgs, io: CliIo, kept: AnonymousJobKey): Promise<JobSession> =>
  openKeySession(args, io, kept.pool, kept.seed, () => kept.job, requirePool);
