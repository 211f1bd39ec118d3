import type { SigningKey } from "../crypto/ed25519.ts";
import type { Did } from "./did-key.ts";

/** A node's own identity: its DID and the key that signs for it. */
export interface Identity {
  readonly did: Did;
  readonly signingKey: SigningKey;
}

/**
 * Where a node keeps its private key: IndexedDB (non-extractable CryptoKey) in the browser, a 0600
 * file under the node's home in Node. One implementation per platform, one contract test suite.
 */
export interface Keystore {
  /** The stored identity, or undefined when this node has none yet. */
  load(): Promise<Identity | undefined>;
  /** Loads the stored identity, creating and storing a new one on first use. */
  loadOrCreate(): Promise<Identity>;
}
