/**
 * Finding a private pool's sealed starts (private-epochs.ts says what they are): a node walks back
 * from the newest key it holds through the keys' documents, opening their envelopes, until one
 * holds a start it trusts. A cold start reads from there on; `verifyPrivatePool` walks all the way.
 */
import type { DocHandle, DocumentId, Repo } from "@automerge/automerge-repo";
import { trustedStart, trustPoolRoot, type CheckpointTrust, type StartCandidate } from "../ledger/epochs.ts";
import type { LedgerState } from "../ledger/state.ts";
import type { PoolId, SignedEntry } from "../ledger/types.ts";
import { contextOf } from "../ledger/validate.ts";
import type { LedgerOptions } from "../ledger/ledger.ts";
import { bytesToHex } from "../crypto/index.ts";
import { decodeEntry } from "../ledger/codec.ts";
import { openEnvelope, type OpenedEnvelope } from "./envelope.ts";
import { openPrevious, type EpochKey } from "./epoch-key.ts";
import type { Keyring } from "./keyring.ts";
import type { PrivacyNative } from "./native.ts";
import { openSealedDocument, readEnvelopes, type SealedDoc } from "./sealed-document.ts";

/** A trusted sealed start, and the key epoch whose document holds it. */
export interface SealedStart {
  readonly keyEpoch: number;
  readonly checkpoint: SignedEntry;
  readonly snapshot: Uint8Array;
  readonly state: LedgerState;
}

/** Envelopes opened on a walk, by hash, with the value they were opened from. */
export type OpenedEnvelopes = Map<string, { readonly value: unknown; readonly opened: OpenedEnvelope }>;

type Visit = (key: EpochKey, handle: DocHandle<SealedDoc>) => Promise<"stop" | "on">;

/**
 * Visits the document of each key held, newest first, and of every key before it (through
 * `previous`, so a joiner holding only a recent key reaches older ones), each once, until `visit`
 * says stop. `open` gives the document (or undefined: not stored here, nobody has it).
 */
export async function walkBack(keyring: Keyring, open: (key: EpochKey) => Promise<DocHandle<SealedDoc> | undefined>, visit: Visit): Promise<void> {
  const seen = new Set<string>();
  for (const top of keyring.all().reverse()) {
    for (let key: EpochKey | undefined = top; key && !seen.has(key.keyId); ) {
      seen.add(key.keyId);
      const handle = await open(key);
      if (!handle) break;
      // Held before the visit: the document's announcements are sealed under the previous key.
      const previous: EpochKey | undefined = key.epoch > 0 ? openPrevious(key, handle.doc().previous) : undefined;
      if (previous) await keyring.add(previous);
      if ((await visit(key, handle)) === "stop") return;
      key = previous;
    }
  }
}

/** Every envelope of a document, opened with the keys held: the sealed starts among them as candidates. */
export async function openAll(pool: PoolId, keyring: Keyring, handle: DocHandle<SealedDoc>, opened: OpenedEnvelopes, native?: PrivacyNative): Promise<StartCandidate[]> {
  const candidates: StartCandidate[] = [];
  for (const { key: hash, value } of readEnvelopes(handle.doc())) {
    const result = await openEnvelope(pool, hash, value, (id) => keyring.byId(id), native);
    opened.set(hash, { value, opened: result });
    const key = result.ok ? keyring.byId(result.keyId) : undefined;
    const start = key && result.ok ? boundStart(result, key) : undefined;
    if (start) candidates.push(start);
  }
  return candidates;
}

/**
 * The start an opened envelope carries, if it belongs in the document of `key`: beside the
 * checkpoint, the `key.rotate` its author signed next (sequence + 1) naming this key, as
 * compactPrivatePool writes them. Without that binding a member holding a later key could copy a
 * real start into that key's document, and a cold start would stop its walk there and never read
 * the documents between (what the pool wrote after the checkpoint until that key).
 */
export function boundStart(opened: Extract<OpenedEnvelope, { ok: true }>, key: EpochKey): StartCandidate | undefined {
  const [checkpointBytes, rotationBytes] = opened.entries;
  if (!opened.snapshot || !checkpointBytes || !rotationBytes) return undefined;
  const checkpoint = decodeEntry(checkpointBytes);
  const rotation = decodeEntry(rotationBytes);
  if (!checkpoint.ok || !rotation.ok) return undefined;
  const c = checkpoint.signed.entry;
  const r = rotation.signed.entry;
  const names = r.body.keyId instanceof Uint8Array && bytesToHex(r.body.keyId) === key.keyId;
  return r.kind === "key.rotate" && names && r.author === c.author && r.seq === c.seq + 1 ? { checkpoint: checkpointBytes, snapshots: [opened.snapshot] } : undefined;
}

export interface StartSearch extends Pick<LedgerOptions, "pool" | "authoriser" | "now" | "skewMs" | "verify"> {
  readonly repo: Repo;
  readonly keyring: Keyring;
  readonly share?: { hide(document: DocumentId): void };
  readonly trust?: CheckpointTrust;
  readonly native?: PrivacyNative;
}

/**
 * The latest trusted sealed start among the documents of the keys held (walking back from the
 * newest until one holds a start), with every envelope opened on the way so none is opened twice.
 * No start: the pool has not compacted, and the node starts from genesis.
 */
export async function latestStart(options: StartSearch): Promise<{ start?: SealedStart; opened: OpenedEnvelopes }> {
  const opened: OpenedEnvelopes = new Map();
  const context = contextOf(options);
  let start: SealedStart | undefined;
  await walkBack(
    options.keyring,
    (key) => {
      options.share?.hide(key.documentId);
      return openSealedDocument(options.repo, key);
    },
    async (key, handle) => {
      const candidates = await openAll(options.pool, options.keyring, handle, opened, options.native);
      const trusted = candidates.length > 0 ? await trustedStart(candidates, context, options.trust ?? trustPoolRoot) : undefined;
      if (trusted?.ok) start = { keyEpoch: key.epoch, checkpoint: trusted.checkpoint, snapshot: trusted.snapshot, state: trusted.state };
      return start ? "stop" : "on";
    },
  );
  return { ...(start ? { start } : {}), opened };
}
