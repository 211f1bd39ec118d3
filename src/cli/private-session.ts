/**
 * A private pool's ledger for the pool commands (docs/privacy.md): the networked repo holds only
 * the sealed epoch documents, and the ledger runs behind `PrivateLedger`. How it opens depends on
 * how this node came to the pool: it creates it (`pool create`), joins from a link (`join`: the
 * link's lockbox gives the first key), or already holds keys (every other command).
 */
import type { Repo, StorageAdapterInterface, StorageId } from "@automerge/automerge-repo";
import type { InviteLink } from "../core/capability/invite.ts";
import type { PoolId } from "../core/capability/pool.ts";
import type { StoredIdentity } from "../core/identity/keystore-file-node.ts";
import type { LedgerOptions } from "../core/ledger/ledger.ts";
import type { SignedEntry } from "../core/ledger/types.ts";
import { Keyring } from "../core/privacy/keyring.ts";
import { memberKex } from "../core/privacy/member-keys.ts";
import { nodePrivacy } from "../core/privacy/native-node.ts";
import { openInviteKey } from "../core/privacy/private-invite.ts";
import { PrivateLedger } from "../core/privacy/private-ledger.ts";
import { storedMemberKex } from "../core/privacy/stored-kex.ts";
import { createPrivatePool } from "../core/privacy/rotation.ts";
import { verifyPrivatePool } from "../core/privacy/private-epochs.ts";
import { openHomeRepo } from "../core/ledger/home-node.ts";
import { nodeUcanAuthoriser } from "../core/ledger/ucan-authoriser-node.ts";
import { verifyNode } from "../core/crypto/ed25519-node.ts";
import type { VerifyReport } from "../core/ledger/epochs.ts";
import type { SharePolicy } from "../core/net/share-policy.ts";
import { CliError, ExitCode } from "./exit-codes.ts";

export type PrivateStart =
  /** A new private pool from its first entries (pool.create first). */
  | { readonly kind: "create"; readonly entries: readonly SignedEntry[] }
  /** Joining from a private pool's link. */
  | { readonly kind: "invite"; readonly link: InviteLink };

export interface PrivateOpen {
  readonly repo: Repo;
  readonly storage: StorageAdapterInterface;
  readonly pool: PoolId;
  readonly stored: StoredIdentity;
  readonly ledger: Pick<LedgerOptions, "authoriser" | "now" | "verify">;
  readonly start: PrivateStart | undefined;
  readonly share: SharePolicy;
}

/** Whether this node opens `pool` as a private pool. */
export async function isPrivate(storage: StorageAdapterInterface, pool: PoolId, start: PrivateStart | undefined): Promise<boolean> {
  return start !== undefined || (await Keyring.holds(storage, pool));
}

export async function openPrivateLedger({ repo, storage, pool, stored, ledger, start, share }: PrivateOpen): Promise<PrivateLedger> {
  const { identity, seed } = stored;
  // The seed-derived key, unless a restored backup brought the one this identity published in the app.
  const kex = await storedMemberKex(storage, identity.did, memberKex(seed));
  const common = { ...ledger, repo, storage, share, native: nodePrivacy, me: { did: identity.did, kex } };
  if (start?.kind === "create") {
    const made = await createPrivatePool({ ...common, root: identity, entries: start.entries, time: Date.now() });
    if (!made.ok) throw new CliError(`${made.reason}: ${made.message}`, ExitCode.usage);
    return made.node;
  }
  if (start?.kind === "invite") {
    const opened = await openInviteKey(repo, start.link, share);
    if (!opened.ok) throw new CliError(`this private pool's invite: ${opened.message}`, ExitCode.error);
    return PrivateLedger.open({ ...common, pool, keys: [opened.key], also: [opened.holder], author: { author: identity } });
  }
  return PrivateLedger.open({ ...common, pool, author: { author: identity } });
}

const sameHeads = (a: readonly string[] | undefined, b: readonly string[]): boolean => a !== undefined && a.length === b.length && a.every((h) => b.includes(h));

/** Seals what is queued, then waits until the relay holds every epoch document as this node does. */
export async function sealedSynced(node: PrivateLedger, relay: StorageId, wait: number): Promise<boolean> {
  const deadline = Date.now() + wait;
  await node.flush();
  while (Date.now() < deadline) {
    await node.settled();
    if (node.documents().every((handle) => sameHeads(handle.getSyncInfo(relay)?.lastHeads, handle.heads()))) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** `ledger verify` for a private pool held under `home`: every key epoch's documents and this node's stores, from genesis. */
export async function verifyPrivateHome(home: string, pool: PoolId, now: () => number): Promise<VerifyReport> {
  const opened = openHomeRepo(home);
  try {
    return await verifyPrivatePool({ repo: opened.repo, storage: opened.storage, pool, authoriser: nodeUcanAuthoriser(), now, verify: verifyNode, native: nodePrivacy });
  } finally {
    await opened.close();
  }
}
