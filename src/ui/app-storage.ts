/**
 * The app's one IndexedDB database for pools: Automerge documents, epoch keys and the identity's
 * key-agreement key (core/privacy/stored-kex.ts). The pools' repos and the identity backup (which
 * carries that key) open it here, without loading Automerge.
 */
import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb";

let database: IndexedDBStorageAdapter | undefined;

/** The database's name: tabs that share it share one node's writer role (writer.svelte.ts). */
export const APP_DATABASE = "edgepool-automerge";

export const appStorage = (): IndexedDBStorageAdapter => (database ??= new IndexedDBStorageAdapter(APP_DATABASE));
