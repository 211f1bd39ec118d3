/**
 * The ephemeral keys of this node's anonymous submissions (ledger/README.md 6.3), kept in its own
 * storage, never in a shared document: one item per job, so its holder can come back for the
 * output after a restart and prove the job was theirs by signing with the key. The app keeps them in
 * its IndexedDB database, the CLI in files under DIR/anonymous (cli/anonymous-jobs-home.ts).
 */
import * as dagCbor from "@ipld/dag-cbor";
import type { StorageAdapterInterface } from "@automerge/automerge-repo";
import type { PoolId } from "../capability/pool.ts";
import { seedSigningKey, type SigningKey } from "../crypto/index.ts";
import { didFromPublicKey, type Did } from "../identity/did-key.ts";
import type { EntryId } from "../ledger/types.ts";

const NAMESPACE = "edgepool-anonymous-jobs";

/** A job's key from its seed: the only name the ledger shows for the job's submitter. */
export function anonymousKey(seed: Uint8Array): { readonly did: Did; readonly signingKey: SigningKey } {
  const signingKey = seedSigningKey(seed);
  return { did: didFromPublicKey(signingKey.publicKey), signingKey };
}

/**
 * The storage namespace (net/storage-namespace.ts) of the repo one anonymous job travels through,
 * named by the job's ephemeral DID: its own documents, so nothing a member repo of the same store
 * holds leaves through the job's connection.
 */
export const anonymousRepoPrefix = (did: string): string[] => ["edgepool-anonymous-repo", did];

export interface AnonymousJobKey {
  readonly pool: PoolId;
  readonly job: EntryId;
  /** The seed of the key made for this job alone (its DID is the job's submitter). */
  readonly seed: Uint8Array;
  /** The relay the job went through, where its output is read again. */
  readonly relay: string | undefined;
  /** When it was submitted (ms since the Unix epoch). */
  readonly submitted: number;
}

export async function keepAnonymousJob(storage: StorageAdapterInterface, kept: AnonymousJobKey): Promise<void> {
  await storage.save([NAMESPACE, kept.pool, kept.job], dagCbor.encode({ seed: kept.seed, submitted: kept.submitted, ...(kept.relay ? { relay: kept.relay } : {}) }));
}

/** This node's anonymous jobs in `pool`, newest first; an item it cannot read is left out. */
export async function anonymousJobKeys(storage: StorageAdapterInterface, pool: PoolId): Promise<AnonymousJobKey[]> {
  const kept: AnonymousJobKey[] = [];
  for (const { key, data } of await storage.loadRange([NAMESPACE, pool])) {
    const job = key[2];
    const decoded = data && job !== undefined && key.length === 3 ? decode(data) : undefined;
    if (decoded) kept.push({ pool, job: job as EntryId, ...decoded });
  }
  return kept.sort((a, b) => b.submitted - a.submitted || (a.job < b.job ? -1 : 1));
}

export async function forgetAnonymousJob(storage: StorageAdapterInterface, pool: PoolId, job: EntryId): Promise<void> {
  await storage.remove([NAMESPACE, pool, job]);
}

function decode(data: Uint8Array): Pick<AnonymousJobKey, "seed" | "relay" | "submitted"> | undefined {
  try {
    const { seed, submitted, relay } = dagCbor.decode(data) as Record<string, unknown>;
    if (!(seed instanceof Uint8Array) || seed.length !== 32 || !Number.isSafeInteger(submitted)) return undefined;
    if (relay !== undefined && typeof relay !== "string") return undefined;
    return { seed, submitted: submitted as number, relay };
  } catch {
    return undefined;
  }
}
