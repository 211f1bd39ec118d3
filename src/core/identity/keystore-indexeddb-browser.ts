/**
 * The browser keystore: the node's private key lives in IndexedDB. Where WebCrypto has Ed25519
 * (current Chromium) it is a non-extractable CryptoKey, stored by structured clone, so page script
 * can sign with it but never read it. Where WebCrypto lacks Ed25519 the key is a 32-byte seed
 * signed with by noble: readable by any script on the origin, and `keyProtection` says so.
 */
import { generateNonExtractableKey, cryptoKeySigningKey, seedSigningKey, generateSeed, type SigningKey } from "../crypto/ed25519.ts";
import { didFromPublicKey } from "./did-key.ts";
import type { Identity, Keystore } from "./keystore.ts";

/** How the private key is held: only `non-extractable` keeps it from the page's own script. */
export type KeyProtection = "non-extractable" | "seed";

export interface BrowserIdentity extends Identity {
  readonly keyProtection: KeyProtection;
}

type StoredKey =
  | { readonly version: 1; readonly kind: "non-extractable"; readonly privateKey: CryptoKey; readonly publicKey: Uint8Array }
  | { readonly version: 1; readonly kind: "seed"; readonly seed: Uint8Array };

const DEFAULT_DATABASE = "edgepool-identity";
const STORE = "keys";
const RECORD_KEY = "self";

/** The stored record is not one this keystore wrote: refuse it rather than sign with a guess. */
export class StoredIdentityUnreadableError extends Error {
  constructor(databaseName: string) {
    super(`the identity in IndexedDB database '${databaseName}' is unreadable; restore it from a backup or clear this site's data`);
    this.name = "StoredIdentityUnreadableError";
  }
}

export class IndexedDbKeystore implements Keystore {
  /**
   * @param databaseName one database per identity; tests pass their own.
   * @param preferWebCrypto false forces the seed fallback (for runtimes and tests without Ed25519 in WebCrypto).
   */
  constructor(
    private readonly databaseName = DEFAULT_DATABASE,
    private readonly preferWebCrypto = true,
  ) {}

  async load(): Promise<BrowserIdentity | undefined> {
    const db = await openDatabase(this.databaseName);
    try {
      const record = await request<unknown>(db.transaction(STORE, "readonly").objectStore(STORE).get(RECORD_KEY));
      return record === undefined ? undefined : identityFromRecord(record, this.databaseName);
    } finally {
      db.close();
    }
  }

  /**
   * Creates the identity on first use. Tabs that race here all generate a key, but only the first
   * `add` of the record succeeds (IndexedDB serialises readwrite transactions on a store and `add`
   * refuses an existing key); the others read back the winner, so every tab ends with ONE identity.
   */
  async loadOrCreate(): Promise<BrowserIdentity> {
    void requestPersistentStorage();
    const existing = await this.load();
    if (existing) return existing;
    const record = await this.newRecord();
    const db = await openDatabase(this.databaseName);
    try {
      const added = await addIfAbsent(db, record);
      if (added) return identityFromRecord(record, this.databaseName);
    } finally {
      db.close();
    }
    const winner = await this.load();
    if (!winner) throw new Error("IndexedDB refused the identity record but holds none");
    return winner;
  }

  /**
   * The seed of a `seed` identity, for an encrypted backup; undefined for a non-extractable key,
   * which by design cannot leave this browser.
   */
  async exportSeed(): Promise<Uint8Array | undefined> {
    const db = await openDatabase(this.databaseName);
    try {
      const record = await request<unknown>(db.transaction(STORE, "readonly").objectStore(STORE).get(RECORD_KEY));
      const r = record as Partial<Record<string, unknown>> | undefined;
      return r?.version === 1 && r.kind === "seed" && isKeyBytes(r.seed) ? r.seed : undefined;
    } finally {
      db.close();
    }
  }

  /**
   * Makes `seed` this browser's identity (a restored backup, or a key that can be backed up),
   * replacing the current one. The caller confirms with the user first: the old key is gone.
   */
  async replaceWithSeed(seed: Uint8Array): Promise<BrowserIdentity> {
    if (!isKeyBytes(seed)) throw new TypeError("an identity seed is 32 bytes");
    const record: StoredKey = { version: 1, kind: "seed", seed };
    const db = await openDatabase(this.databaseName);
    try {
      const tx = db.transaction(STORE, "readwrite");
      tx.objectStore(STORE).put(record, RECORD_KEY);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
      });
    } finally {
      db.close();
    }
    return identityFromRecord(record, this.databaseName);
  }

  private async newRecord(): Promise<StoredKey> {
    const generated = this.preferWebCrypto ? await generateNonExtractableKey() : undefined;
    if (generated) {
      return { version: 1, kind: "non-extractable", privateKey: generated.privateKey, publicKey: generated.signingKey.publicKey };
    }
    return { version: 1, kind: "seed", seed: generateSeed() };
  }
}

/**
 * Asks the browser not to evict this origin's storage (it may, for a site that is not installed).
 * Best effort: a refusal or a missing API leaves the identity working, only less durable.
 */
export async function requestPersistentStorage(): Promise<boolean> {
  const storage = globalThis.navigator?.storage;
  if (!storage?.persist) return false;
  try {
    return (await storage.persisted()) || (await storage.persist());
  } catch {
    return false;
  }
}

async function identityFromRecord(record: unknown, databaseName: string): Promise<BrowserIdentity> {
  const signingKey = await signingKeyFromRecord(record);
  if (!signingKey) throw new StoredIdentityUnreadableError(databaseName);
  const kind = (record as StoredKey).kind;
  return { did: didFromPublicKey(signingKey.publicKey), signingKey, keyProtection: kind };
}

async function signingKeyFromRecord(record: unknown): Promise<SigningKey | undefined> {
  if (typeof record !== "object" || record === null) return undefined;
  const r = record as Partial<Record<string, unknown>>;
  if (r.version !== 1) return undefined;
  if (r.kind === "non-extractable" && r.privateKey instanceof CryptoKey && isKeyBytes(r.publicKey)) {
    return cryptoKeySigningKey(r.privateKey, r.publicKey);
  }
  if (r.kind === "seed" && isKeyBytes(r.seed)) return seedSigningKey(r.seed);
  return undefined;
}

const isKeyBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array && value.length === 32;

function openDatabase(name: string): Promise<IDBDatabase> {
  const open = indexedDB.open(name, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  return request(open);
}

/** Adds the record unless one exists; false when another tab's record won. */
function addIfAbsent(db: IDBDatabase, record: StoredKey): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, "readwrite");
    const add = tx.objectStore(STORE).add(record, RECORD_KEY);
    add.onerror = (event) => {
      if (add.error?.name !== "ConstraintError") return;
      // The key exists: expected when another tab won the race. Keep the abort from surfacing as an error.
      event.preventDefault();
      event.stopPropagation();
      resolve(false);
    };
    tx.oncomplete = () => resolve(true);
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
  });
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}
