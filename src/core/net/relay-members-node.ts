/**
 * Who is a member of a pool, as a relay sees it: the relay validates and folds its own copy of the
 * pool's ledger (the documents members sync through it), as any node would. Used only where the
 * relay's operator gives something to members alone (TURN credentials); the relay still trusts
 * nothing it is sent, so a forged entry in the document does not make anyone a member here.
 */
import type { Repo, StorageAdapterInterface } from "@automerge/automerge-repo";
import { nodePoolAuthority } from "../capability/authority-node.ts";
import type { PoolId } from "../capability/pool.ts";
import { verifyNode } from "../crypto/ed25519-node.ts";
import type { Did } from "../identity/did-key.ts";
import { holdsEpoch } from "../ledger/epoch-marks.ts";
import { latestEpoch, openEpoch } from "../ledger/epochs.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { UcanAuthoriser } from "../ledger/ucan-authoriser.ts";

export interface RelayMembers {
  /** Whether `did` is a current member of `pool`; undefined while the relay holds no ledger of it. */
  isMember(pool: string, did: Did): Promise<boolean | undefined>;
  close(): void;
}

interface Opened {
  readonly epoch: number;
  readonly ledger: Promise<Ledger | undefined>;
}

export function relayMembers(repo: Repo, storage: StorageAdapterInterface, log: (line: string) => void, now: () => number = Date.now): RelayMembers {
  const opened = new Map<string, Opened>();

  const open = async (pool: PoolId, epoch: number): Promise<Ledger | undefined> => {
    const result = await openEpoch({ repo, storage, pool, authoriser: new UcanAuthoriser(nodePoolAuthority()), now, epoch, verify: verifyNode });
    if (result.ok) return result.ledger;
    log(`relay: cannot open the ledger of pool ${pool}: ${result.message}`);
    return undefined;
  };

  /** The ledger of the pool's latest epoch in storage, opened once per epoch (a checkpoint starts a new one). */
  const ledgerOf = async (pool: PoolId): Promise<Ledger | undefined> => {
    // Probe storage first: opening a pool's ledger would otherwise start an empty document for it.
    if (!(await holdsEpoch(storage, pool, 0))) return undefined;
    const epoch = await latestEpoch(storage, pool);
    let current = opened.get(pool);
    if (current?.epoch !== epoch) {
      void current?.ledger.then((old) => old?.close());
      current = { epoch, ledger: open(pool, epoch) };
      opened.set(pool, current);
    }
    return current.ledger;
  };

  return {
    async isMember(pool, did) {
      const ledger = await ledgerOf(pool as PoolId);
      if (!ledger) return undefined;
      await ledger.settled();
      const member = ledger.state.members[did];
      return member !== undefined && member.revoked === undefined;
    },
    close() {
      for (const { ledger } of opened.values()) void ledger.then((l) => l?.close());
      opened.clear();
    },
  };
}
