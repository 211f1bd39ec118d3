/**
 * The epoch keys this node holds for one pool, kept in its own storage (never in a shared
 * document): one item per key, named by its key id, holding the epoch and the secret.
 */
import * as dagCbor from "@ipld/dag-cbor";
import type { StorageAdapterInterface } from "@automerge/automerge-repo";
import type { PoolId } from "../ledger/types.ts";
import { deriveEpochKey, type EpochKey, type KeyId } from "./epoch-key.ts";

const NAMESPACE = "edgepool-private-keys";

export class Keyring {
  private readonly keys = new Map<KeyId, EpochKey>();

  constructor(
    private readonly storage: StorageAdapterInterface,
    readonly pool: PoolId,
  ) {}

  /** Whether `storage` holds any key of `pool` (then the pool is private on this node). */
  static async holds(storage: StorageAdapterInterface, pool: PoolId): Promise<boolean> {
    return (await storage.loadRange([NAMESPACE, pool])).length > 0;
  }

  async load(): Promise<void> {
    for (const { data } of await this.storage.loadRange([NAMESPACE, this.pool])) {
      const key = data ? decodeKey(this.pool, data) : undefined;
      if (key) this.keys.set(key.keyId, key);
    }
  }

  /** Adds and stores a key; false when it was already held. */
  async add(key: EpochKey): Promise<boolean> {
    if (key.pool !== this.pool) throw new TypeError(`a key of pool ${key.pool} does not belong in pool ${this.pool}'s keyring`);
    if (this.keys.has(key.keyId)) return false;
    this.keys.set(key.keyId, key);
    await this.storage.save([NAMESPACE, this.pool, key.keyId], dagCbor.encode({ epoch: key.epoch, secret: key.secret }));
    return true;
  }

  byId(keyId: string): EpochKey | undefined {
    return this.keys.get(keyId as KeyId);
  }

  all(): EpochKey[] {
    return [...this.keys.values()].sort((a, b) => a.epoch - b.epoch || (a.keyId < b.keyId ? -1 : 1));
  }

  /** The held key of the highest epoch (the lowest key id among equals). */
  latest(): EpochKey | undefined {
    return this.all().reduce<EpochKey | undefined>((best, k) => (!best || k.epoch > best.epoch ? k : best), undefined);
  }
}

function decodeKey(pool: PoolId, data: Uint8Array): EpochKey | undefined {
  try {
    const { epoch, secret } = dagCbor.decode(data) as { epoch: unknown; secret: unknown };
    return Number.isSafeInteger(epoch) && secret instanceof Uint8Array ? deriveEpochKey(pool, epoch as number, secret) : undefined;
  } catch {
    return undefined;
  }
}
