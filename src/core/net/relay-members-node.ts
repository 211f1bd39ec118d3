/**
 * Who is a member of a pool, as a relay sees it: the relay validates and folds its own copy of the
 * pool's ledger (the documents members sync through it), as any node would. Used only where the
 * relay's operator gives something to members alone (TURN credentials); the relay still trusts
 * nothing it is sent, so a forged entry in the document does not make anyone a member here.
 */
import { nodeUcanAuthoriser } from "../ledger/ucan-authoriser-node.ts";
import type { Repo, StorageAdapterInterface } from "@automerge/automerge-repo";
import type { PoolId } from "../capability/pool.ts";
import { verifyNode } from "../crypto/ed25519-node.ts";
import type { Did } from "../identity/did-key.ts";
import { holdsEpoch, storesEpochDocument } from "../ledger/epoch-marks.ts";
import { openEpoch } from "../ledger/epochs.ts";
import type { Ledger } from "../ledger/ledger.ts";

export interface RelayMembers {
  /** Whether `did` is a current member of `pool`; undefined while the relay holds no ledger of it. */
  isMember(pool: string, did: Did): Promise<boolean | undefined>;
  close(): void;
}

interface Opened {
  /** The highest epoch whose document storage held when this was opened. */
  readonly stored: number;
  readonly ledger: Promise<Ledger | undefined>;
}

export function relayMembers(repo: Repo, storage: StorageAdapterInterface, log: (line: string) => void, now: () => number = Date.now): RelayMembers {
  const opened = new Map<string, Opened>();

  const open = async (pool: PoolId, epoch: number): Promise<Ledger | undefined> => {
    const result = await openEpoch({ repo, storage, pool, authoriser: nodeUcanAuthoriser(), now, epoch, verify: verifyNode });
    if (result.ok) return result.ledger;
    log(`relay: cannot open the ledger of pool ${pool}: ${result.message}`);
    return undefined;
  };

  /**
   * The ledger of the pool's latest epoch in storage whose start this relay trusts, opened once per
   * epoch (a checkpoint starts a new one). A relay stores whatever peers send, and anyone can send
   * a document for a later epoch, so it probes documents and steps back from one whose start it
   * refuses. Documents are never removed: each call probes only past the highest one seen.
   */
  const ledgerOf = async (pool: PoolId): Promise<Ledger | undefined> => {
    // Probe storage first: opening a pool's ledger would otherwise start an empty document for it.
    if (!(await holdsEpoch(storage, pool, 0))) return undefined;
    const current = opened.get(pool);
    let stored = current?.stored ?? 0;
    while (await storesEpochDocument(storage, pool, stored + 1)) stored++;
    if (current?.stored === stored) return current.ledger;
    void current?.ledger.then((old) => old?.close());
    const ledger = (async () => {
      for (let epoch = stored; epoch > 0; epoch--) {
        const later = await open(pool, epoch);
        if (later) return later;
      }
      return open(pool, 0);
    })();
    opened.set(pool, { stored, ledger });
    return ledger;
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
