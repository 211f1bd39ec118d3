/**
 * Opening a pool's ledger from a node's home directory in Node (the CLI's entry point until the
 * node composition root exists): the repo's files live in HOME/automerge, and the ledger's own
 * entry store shares that storage adapter.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Repo } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { nodePoolAuthority } from "../capability/authority-node.ts";
import { verifyNode } from "../crypto/ed25519-node.ts";
import { ClosingStorage, shutdownRepo } from "./closing-storage.ts";
import { holdsEpoch } from "./epoch-marks.ts";
import { latestEpoch, openEpoch, verifyPool, type VerifyReport } from "./epochs.ts";
import type { Ledger } from "./ledger.ts";
import { reject, type PoolId, type Result } from "./types.ts";
import { UcanAuthoriser } from "./ucan-authoriser.ts";

export interface HomeRepo {
  readonly repo: Repo;
  readonly storage: ClosingStorage;
  /** Shuts the repo down; nothing writes to HOME after this resolves. */
  close(): Promise<void>;
}

export const automergeDir = (home: string): string => join(home, "automerge");

/** A repo without network over HOME/automerge (read commands work offline on what is stored). */
export function openHomeRepo(home: string): HomeRepo {
  const storage = new ClosingStorage(new NodeFSStorageAdapter(automergeDir(home)));
  const repo = new Repo({ storage });
  return { repo, storage, close: () => shutdownRepo(repo, storage) };
}

async function hasPool(home: string, storage: ClosingStorage, pool: PoolId): Promise<boolean> {
  return existsSync(automergeDir(home)) && ((await holdsEpoch(storage, pool, 0)) || (await latestEpoch(storage, pool)) > 0);
}

const missing = (home: string, pool: PoolId) =>
  reject("unknown-reference", `no ledger for pool ${pool} under ${home}: create the pool or join it first (edgepool pool create / edgepool join)`);

/** Opens the latest epoch of the pool's ledger stored under `home`. */
export async function openHomeLedger(home: string, pool: PoolId, now: () => number): Promise<Result<{ ledger: Ledger; epoch: number; home: HomeRepo }>> {
  const opened = openHomeRepo(home);
  if (!(await hasPool(home, opened.storage, pool))) {
    await opened.close();
    return missing(home, pool);
  }
  const epoch = await latestEpoch(opened.storage, pool);
  const result = await openEpoch({ repo: opened.repo, storage: opened.storage, pool, authoriser: new UcanAuthoriser(nodePoolAuthority()), now, epoch, verify: verifyNode });
  if (!result.ok) {
    await opened.close();
    return result;
  }
  return { ok: true, ledger: result.ledger, epoch, home: opened };
}

/** Re-validates the pool's every epoch under `home` from genesis. */
export async function verifyHomeLedger(home: string, pool: PoolId, now: () => number): Promise<Result<{ report: VerifyReport }>> {
  const opened = openHomeRepo(home);
  try {
    if (!(await hasPool(home, opened.storage, pool))) return missing(home, pool);
    return { ok: true, report: await verifyPool({ repo: opened.repo, storage: opened.storage, pool, authoriser: new UcanAuthoriser(nodePoolAuthority()), now, verify: verifyNode }) };
  } finally {
    await opened.close();
  }
}
