/**
 * The Automerge document of one key epoch of a private pool: what relays store and forward. It
 * holds only opaque values: envelopes under the hex SHA-256 of their bytes (in 256 buckets by the
 * first two hex digits, as the plain ledger buckets its entries), mailbox items (lockbox lists)
 * under their hash, and `previous`: the previous epoch's secret sealed under this epoch's key, so
 * whoever holds the newest key can walk back through all history. Its id is derived from the epoch
 * secret (epoch-key.ts): only key holders can ask a relay for it. Every change is made with time 0
 * (Automerge would otherwise record each writer's wall clock).
 */
import * as A from "@automerge/automerge";
import type { DocHandle, Repo } from "@automerge/automerge-repo";
import type { EpochKey } from "./epoch-key.ts";

export const SEALED_PROTOCOL = "edgepool-sealed/1";

export interface SealedDoc {
  protocol: string;
  envelopes: Record<string, Record<string, Uint8Array>>;
  mailbox: Record<string, Uint8Array>;
  previous?: Uint8Array;
}

const HEX = "0123456789abcdef";
const BUCKETS: readonly string[] = [...HEX].flatMap((a) => [...HEX].map((b) => a + b));
export const envelopeBucket = (hash: string): string => hash.slice(0, 2);

/** Changes carry no wall-clock time. */
export const NO_TIME = { time: 0 } as const;

// The same first change on every node (fixed actor, time 0), so offline starts merge.
const GENESIS_ACTOR = "00000000000000000000000000000001";
let genesis: Uint8Array | undefined;

function genesisDocument(): Uint8Array {
  if (!genesis) {
    const envelopes: Record<string, Record<string, Uint8Array>> = {};
    for (const bucket of BUCKETS) envelopes[bucket] = {};
    const doc = A.change(A.init<SealedDoc>({ actor: GENESIS_ACTOR }), NO_TIME, (d) => {
      d.protocol = SEALED_PROTOCOL;
      d.envelopes = envelopes;
      d.mailbox = {};
    });
    genesis = A.save(doc);
  }
  return genesis;
}

/**
 * How long opening an epoch's document waits for a peer's copy before it starts from the shared
 * first change. Left alone, automerge-repo waits up to 60 s for a document nobody answers for (a
 * relay asked while the rotating member still uploads it, automerge-repo issue 273), and a private
 * ledger's work (sealing an invite, a job) queues behind the opening. A peer's copy that comes
 * later merges in: every node starts the document from the same first change.
 */
export const SEALED_FIND_WAIT_MS = 5_000;

/** Finds the epoch's document through storage or peers; undefined when nobody has it (yet), or after `signal` aborts the wait. */
export async function findSealedDocument(repo: Repo, key: Pick<EpochKey, "documentUrl">, signal?: AbortSignal): Promise<DocHandle<SealedDoc> | undefined> {
  try {
    return await repo.find<SealedDoc>(key.documentUrl, signal ? { signal } : {});
  } catch {
    return undefined;
  }
}

/** Opens the epoch's document, or starts it from the shared first change (after `waitMs` without a copy). */
export async function openSealedDocument(repo: Repo, key: EpochKey, waitMs = SEALED_FIND_WAIT_MS): Promise<DocHandle<SealedDoc>> {
  const found = await findSealedDocument(repo, key, AbortSignal.timeout(waitMs));
  if (found) return found;
  const handle = repo.import<SealedDoc>(genesisDocument(), { docId: key.documentId });
  await handle.whenReady();
  return handle;
}

export interface SealedItem {
  readonly key: string;
  readonly value: unknown;
}

/** Every envelope in the document; tolerates any shape a peer wrote. */
export function readEnvelopes(doc: SealedDoc): SealedItem[] {
  const items: SealedItem[] = [];
  const envelopes = doc.envelopes as unknown;
  if (typeof envelopes !== "object" || envelopes === null) return items;
  for (const bucket of Object.values(envelopes)) {
    if (typeof bucket !== "object" || bucket === null || bucket instanceof Uint8Array) continue;
    for (const [key, value] of Object.entries(bucket)) items.push({ key, value });
  }
  return items;
}

export function readMailbox(doc: SealedDoc, hash: string): unknown {
  const mailbox = doc.mailbox as unknown;
  return typeof mailbox === "object" && mailbox !== null && Object.hasOwn(mailbox, hash) ? (mailbox as Record<string, unknown>)[hash] : undefined;
}

export function holdsEnvelope(doc: SealedDoc, hash: string, bytes: Uint8Array): boolean {
  const value = (doc.envelopes as Record<string, Record<string, unknown> | undefined> | undefined)?.[envelopeBucket(hash)]?.[hash];
  return value instanceof Uint8Array && value.length === bytes.length && value.every((b, i) => b === bytes[i]);
}

/** Puts envelopes (and mailbox items) in one change. */
export function putSealed(handle: DocHandle<SealedDoc>, envelopes: ReadonlyMap<string, Uint8Array>, mailbox: ReadonlyMap<string, Uint8Array> = new Map()): void {
  if (envelopes.size === 0 && mailbox.size === 0) return;
  handle.change((doc) => {
    if (typeof doc.envelopes !== "object" || doc.envelopes === null) doc.envelopes = {};
    if (typeof doc.mailbox !== "object" || doc.mailbox === null) doc.mailbox = {};
    for (const [hash, bytes] of envelopes) (doc.envelopes[envelopeBucket(hash)] ??= {})[hash] = bytes;
    for (const [hash, bytes] of mailbox) doc.mailbox[hash] = bytes;
  }, NO_TIME);
}

export function putPrevious(handle: DocHandle<SealedDoc>, previous: Uint8Array): void {
  handle.change((doc) => {
    doc.previous = previous;
  }, NO_TIME);
}
