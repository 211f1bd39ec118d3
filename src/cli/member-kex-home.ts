/**
 * The member key-agreement key of the identity under --home, as the private-pool commands use it
 * (core/privacy/stored-kex.ts: a key restored from a backup, else the one derived from the seed),
 * for `id export` to put in the backup and `id import` to restore.
 */
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import type { KexKeyPair } from "../core/crypto/index.ts";
import type { Did } from "../core/identity/did-key.ts";
import { automergeDir } from "../core/ledger/home-node.ts";
import { memberKex } from "../core/privacy/member-keys.ts";
import { restoreMemberKex, storedMemberKex } from "../core/privacy/stored-kex.ts";

const storageOf = (home: string) => new NodeFSStorageAdapter(automergeDir(home));

export const homeMemberKex = (home: string, did: Did, seed: Uint8Array): Promise<KexKeyPair> => storedMemberKex(storageOf(home), did, memberKex(seed));

export const restoreHomeMemberKex = (home: string, did: Did, secret: Uint8Array): Promise<KexKeyPair> => restoreMemberKex(storageOf(home), did, secret);
