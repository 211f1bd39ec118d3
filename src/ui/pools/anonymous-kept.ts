/**
 * The anonymous jobs this browser keeps (core/jobs/anonymous-keys.ts in the app's database): light
 * enough for an open pool's page to list them without loading the node, which anonymous-job.ts
 * brings only when a job is submitted or followed.
 */
import type { Did } from "../../core/identity/did-key.ts";
import { anonymousJobKeys, anonymousKey, type AnonymousJobKey } from "../../core/jobs/anonymous-keys.ts";
import { parsePoolId } from "../../core/capability/pool.ts";
import { appStorage } from "../app-storage.ts";

/** A kept anonymous job: what IndexedDB holds, and the DID its key signs as. */
export type KeptAnonymousJob = AnonymousJobKey & { readonly did: Did };

/** The anonymous jobs this browser submitted to the pool, newest first (none for a malformed pool id). */
export async function keptAnonymousJobs(poolText: string): Promise<KeptAnonymousJob[]> {
  const parsed = parsePoolId(poolText);
  if (!parsed.ok) return [];
  return (await anonymousJobKeys(appStorage(), parsed.pool)).map((kept) => ({ ...kept, did: anonymousKey(kept.seed).did }));
}
