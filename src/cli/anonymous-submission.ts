/**
 * `edgepool submit --anonymous` (open pools; ledger/README.md 6.3, "Anonymous submission"): the job
 * is written by a fresh ephemeral did:key that spends a token from one of the pool's issuers, so
 * the pool never sees this node's DID. The session that carries it shows relays a storage id of
 * its own and a random peer id, and opens no direct connections (their hello names the node's
 * DID). The ephemeral key is kept under DIR/anonymous/ so its holder can later prove the job was
 * theirs; the output itself is public in an open pool, and `edgepool result` reads it by job id.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { bytesToHex, generateSeed, randomBytes, seedSigningKey } from "../core/crypto/index.ts";
import { didFromPublicKey, type Did } from "../core/identity/did-key.ts";
import { openJoinPolicy } from "../core/ledger/open-join.ts";
import type { EntryId } from "../core/ledger/types.ts";
import { epochOf } from "../core/ledger/verdict.ts";
import { fetchPoolToken } from "../core/net/open-join-payment.ts";
import { createNode } from "../core/node.ts";
import { bundledTasks } from "../core/node-node.ts";
import type { CliIo, ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { resolveHome } from "./home.ts";
import type { JobSession } from "./job-session.ts";
import { openPool, poolArgument, requirePool } from "./pool-ledger.ts";

export interface AnonymousSession extends JobSession {
  /** The token this submission spends, bound to the ephemeral DID. */
  readonly token: Uint8Array;
  /** The largest reward the pool lets an anonymous job offer (the fund pays it). */
  readonly maxReward: number;
  /** Keeps the ephemeral key under the node's home, named by the job; returns the file. */
  keep(job: EntryId): Promise<string>;
}

export async function openAnonymousNode(args: ParsedArgs, io: CliIo, usage: string, reward: (maxReward: number) => number): Promise<AnonymousSession> {
  const pool = poolArgument(args, usage);
  const session = await openPool(args, io, pool, { storageScope: `anon-${bytesToHex(randomBytes(8))}` });
  try {
    const open = requirePool(session).open;
    if (!open) throw new CliError(`pool ${pool} is invite-only: anonymous submission is for open pools`, ExitCode.noPermission);
    if (!open.anonymous) throw new CliError(`pool ${pool} takes no anonymous submissions (an admin enables them with edgepool pool create --anonymous-reward, or a pool.anonymous entry)`, ExitCode.noPermission);
    // Checked before a token is spent on a job the pool would refuse.
    const offered = reward(open.anonymous.maxReward);
    if (offered > open.anonymous.maxReward) throw new CliError(`this pool's fund pays at most ${open.anonymous.maxReward} credits for an anonymous job: lower --reward`, ExitCode.usage);
    const policy = openJoinPolicy(session.ledger);
    if (!policy.ok) throw new CliError(policy.message, ExitCode.noPermission);
    const seed = generateSeed();
    const signingKey = seedSigningKey(seed);
    const did = didFromPublicKey(signingKey.publicKey);
    const fetched = await fetchPoolToken(policy.policy.issuers, { pool, did, purpose: "submit" }, epochOf(Date.now()), (url) =>
      io.err(`Asking ${url} for a submission token (it learns that someone asks, not for which key)…`),
    );
    if (!fetched.ok) throw new CliError(fetched.message, ExitCode.noPermission);
    const tasks = (await bundledTasks()).map((t) => t.bytes);
    const node = await createNode({ identity: { did, signingKey }, ledger: session.ledger, proof: () => undefined, tasks });
    return {
      session,
      node,
      token: fetched.token,
      maxReward: open.anonymous.maxReward,
      keep: (job) => keepEphemeralKey(resolveHome(args, io), { pool, job, did, seed }),
      async close() {
        await node.close();
        await session.close();
      },
    };
  } catch (error) {
    await session.close();
    throw error;
  }
}

/** DIR/anonymous/<job>.json, readable by this user only: the ephemeral key proves authorship of the job. */
async function keepEphemeralKey(home: string, kept: { pool: string; job: EntryId; did: Did; seed: Uint8Array }): Promise<string> {
  const dir = join(home, "anonymous");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${kept.job}.json`);
  await writeFile(file, JSON.stringify({ schemaVersion: 1, pool: kept.pool, job: kept.job, did: kept.did, seed: bytesToHex(kept.seed) }) + "\n", { mode: 0o600 });
  return file;
}
