/**
 * The node's own record of every entry it validated: the truth it re-publishes when a peer deletes
 * or rewrites an entry in the shared document. Kept in an automerge-repo storage adapter (IndexedDB
 * in the browser, files in Node) as immutable chunks named by the hash of their content, so a write
 * never overwrites anything: a crash in the middle of an append can lose only that append's chunk,
 * never an earlier entry. Many small chunks are merged (new chunk first, old ones removed after).
 * A chunk is the DAG-CBOR list of entry bytes, deflated (CompressionStream, in browsers and Node):
 * DIDs, the pool id, field names and job ids repeat from entry to entry.
 */
import * as dagCbor from "@ipld/dag-cbor";
import type { StorageAdapterInterface } from "@automerge/automerge-repo";
import { bytesToHex, sha256 } from "../crypto/index.ts";
import type { PoolId } from "./types.ts";

const NAMESPACE = "edgepool-ledger";
const TOKENS_NAMESPACE = "edgepool-tokens";
/** More chunks than this are merged into one on load. */
const MERGE_THRESHOLD = 64;

/** The chunks of one epoch's entries, or (`"tokens"`) of the UCAN tokens a pool's entries name, as UTF-8. */
export class EntryStore {
  private readonly key: readonly string[];

  constructor(
    private readonly storage: StorageAdapterInterface,
    pool: PoolId,
    epoch: number | "tokens",
  ) {
    this.key = epoch === "tokens" ? [TOKENS_NAMESPACE, pool] : [NAMESPACE, pool, String(epoch)];
  }

  private prefix(): string[] {
    return [...this.key];
  }

  async save(items: readonly { readonly bytes: Uint8Array }[]): Promise<void> {
    if (items.length === 0) return;
    const chunk = await deflate(dagCbor.encode(items.map((e) => e.bytes)));
    await this.storage.save([...this.prefix(), bytesToHex(sha256(chunk))], chunk);
  }

  /** Every stored item's bytes (unvalidated: the caller validates them like any other input). */
  async load(): Promise<Uint8Array[]> {
    // A storage adapter may match the prefix as a string (the Node file adapter's cache does), so
    // epoch "1" would also read, and then merge away, epoch "10"'s chunks: keep exact matches only.
    const prefix = this.prefix();
    const stored = (await this.storage.loadRange(prefix)).filter(({ key }) => key.length === prefix.length + 1 && prefix.every((part, i) => key[i] === part));
    const entries: Uint8Array[] = [];
    const intact: string[][] = [];
    for (const { key, data } of stored) {
      // A chunk torn by a crash, or altered on disk, no longer matches its name: skip it.
      if (!data || bytesToHex(sha256(data)) !== key.at(-1)) continue;
      const items = await decodeChunk(data);
      if (!items) continue;
      entries.push(...items);
      intact.push(key);
    }
    const unique = intact.length > 1 ? distinct(entries) : entries;
    if (intact.length > MERGE_THRESHOLD) await this.merge(unique, intact);
    return unique;
  }

  private async merge(unique: Uint8Array[], keys: string[][]): Promise<void> {
    const chunk = await deflate(dagCbor.encode(unique));
    const name = bytesToHex(sha256(chunk));
    await this.storage.save([...this.prefix(), name], chunk);
    for (const key of keys) if (key.at(-1) !== name) await this.storage.remove(key);
  }
}

// Every byte maps to its own character (WHATWG "latin1" is windows-1252, a bijection on bytes).
const asKey = new TextDecoder("latin1");

/** Drops repeated byte strings (the same entry saved by two appends, or by a merge that a crash interrupted). */
function distinct(entries: Uint8Array[]): Uint8Array[] {
  return [...new Map(entries.map((b) => [asKey.decode(b), b])).values()];
}

const through = async (bytes: Uint8Array, transform: CompressionStream | DecompressionStream): Promise<Uint8Array> =>
  new Uint8Array(await new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform)).arrayBuffer());

const deflate = (bytes: Uint8Array): Promise<Uint8Array> => through(bytes, new CompressionStream("deflate-raw"));

async function decodeChunk(data: Uint8Array): Promise<Uint8Array[] | undefined> {
  try {
    const value: unknown = dagCbor.decode(await through(data, new DecompressionStream("deflate-raw")));
    return Array.isArray(value) && value.every((v) => v instanceof Uint8Array) ? value : undefined;
  } catch {
    return undefined;
  }
}
