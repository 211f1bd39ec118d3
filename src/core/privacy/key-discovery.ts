/**
 * Finding the keys of epochs this node has read about but does not hold: for each key.rotate
 * (and each key.grant addressed to it) whose key is missing, open this node's lockbox in the
 * mailbox the entry names, and check the secret against the key id the signed entry carries. A
 * lockbox that does not open for a listed recipient (wrapped for another key, or altered) is
 * answered with a `key.complaint`, once per epoch; an admin re-grants (rotation.ts).
 */
import { bytesToHex, hexToBytes, type KexKeyPair } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";
import { recipientTag } from "../ledger/rules/privacy.ts";
import type { PrivacyState } from "../ledger/state.ts";
import type { EntryId } from "../ledger/types.ts";
import { deriveEpochKey, type EpochKey } from "./epoch-key.ts";
import { openLockbox } from "./lockbox.ts";
import type { DocHandle } from "@automerge/automerge-repo";
import type { Ledger } from "../ledger/ledger.ts";
import { ownDelegation } from "../ledger/own-delegation.ts";
import type { PoolId } from "../ledger/types.ts";
import type { Author } from "../ledger/writer.ts";
import type { Keyring } from "./keyring.ts";
import { readMailbox, type SealedDoc } from "./sealed-document.ts";

/** What discovery needs of a private ledger node. */
export interface KeySeeker {
  readonly ledger: Ledger;
  readonly keyring: Keyring;
  documents(): DocHandle<SealedDoc>[];
}

interface SeekerOptions {
  readonly pool: PoolId;
  readonly me: KeyHolder;
  readonly author?: { readonly author: Author; readonly proof?: string };
}

export interface KeyHolder {
  readonly did: Did;
  readonly kex: KexKeyPair;
}

interface Candidate {
  readonly epoch: number;
  readonly keyId: string;
  readonly mailbox: string;
  readonly tags: Uint8Array;
  /** Set for a rotation (a complaint names it); a grant is answered by nothing further. */
  readonly rotation?: EntryId;
}

export async function discoverKeys(node: KeySeeker, options: SeekerOptions, holders: readonly KeyHolder[]): Promise<EpochKey[]> {
  const privacy = node.ledger.state.privacy;
  if (!privacy) return [];
  const added: EpochKey[] = [];
  for (const candidate of candidates(node, privacy, holders)) {
    if (node.keyring.byId(candidate.keyId) || added.some((k) => k.keyId === candidate.keyId)) continue;
    const item = node.documents().map((h) => readMailbox(h.doc(), candidate.mailbox)).find((v) => v !== undefined);
    if (item === undefined) continue;
    let refused = false;
    for (const holder of holders) {
      const opened = await openLockbox(options.pool, candidate.epoch, item, candidate.mailbox, candidate.tags, holder);
      const key = opened.ok ? deriveEpochKey(options.pool, candidate.epoch, opened.secret) : undefined;
      if (key?.keyId === candidate.keyId) {
        await node.keyring.add(key);
        added.push(key);
        refused = false;
        break;
      }
      if (opened.ok || opened.reason === "bad-lockbox") refused ||= holder === options.me;
    }
    if (refused && candidate.rotation) await complain(node, options, privacy, candidate.epoch, candidate.rotation);
  }
  return added;
}

function candidates(node: KeySeeker, privacy: PrivacyState, holders: readonly KeyHolder[]): Candidate[] {
  const list: Candidate[] = Object.entries(privacy.epochs).map(([epoch, e]) => ({
    epoch: Number(epoch),
    keyId: e.keyId,
    mailbox: e.mailbox,
    tags: hexToBytes(e.recipients),
    rotation: e.rotation,
  }));
  const mine = new Set<string>(holders.map((h) => h.did));
  for (const { entry } of node.ledger.entries()) {
    if (entry.kind !== "key.grant" || !mine.has(entry.body.member as string)) continue;
    const epoch = entry.body.epoch as number;
    const keyId = privacy.epochs[epoch]?.keyId;
    if (keyId) list.push({ epoch, keyId, mailbox: bytesToHex(entry.body.mailbox as Uint8Array), tags: hexToBytes(recipientTag(entry.body.member as Did)) });
  }
  return list.sort((a, b) => a.epoch - b.epoch);
}

async function complain(node: KeySeeker, options: SeekerOptions, privacy: PrivacyState, epoch: number, rotation: EntryId): Promise<void> {
  if (!options.author || privacy.complaints[options.me.did]?.epoch === epoch) return;
  const { author } = options.author;
  // A node that opened before its join was accepted learns its proof from the ledger.
  const own = ownDelegation(node.ledger, author.did);
  const proof = options.author.proof ?? (own.ok ? own.proof : undefined);
  await node.ledger.write(author, "key.complaint", { epoch, rotation }, proof ? [proof] : []);
}

