/**
 * The app's one IndexedDB database for pools: Automerge documents, epoch keys and the identity's
 * key-agreement key (core/privacy/stored-kex.ts). The pools' repos and the identity backup (which
 * carries that key) open it here, without loading Automerge.
 */
import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb";

let database: IndexedDBStorageAdapter | undefined;

export const appStorage = (): IndexedDBStorageAdapter => (database ??= new IndexedDBStorageAdapter("edgepool-automerge"));
