/**
 * The page's identity state: loads or creates this browser's identity once and exposes it to
 * components as runes; replacing it (a restored backup, a key that can be backed up) goes through
 * the keystore too. The rules live in the keystore; this only adapts its promises to state.
 */
import { IndexedDbKeystore, type BrowserIdentity } from "../core/identity/keystore-indexeddb-browser.ts";

export type IdentityState =
  | { readonly status: "loading" }
  | { readonly status: "ready"; readonly identity: BrowserIdentity }
  | { readonly status: "error"; readonly message: string };

export interface IdentityStore {
  readonly current: IdentityState;
  readonly keystore: IndexedDbKeystore;
  /** Makes `seed` this browser's identity and shows it. */
  replace(seed: Uint8Array): Promise<BrowserIdentity>;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function createIdentityState(keystore = new IndexedDbKeystore()): IdentityStore {
  let current = $state<IdentityState>({ status: "loading" });
  keystore.loadOrCreate().then(
    (identity) => (current = { status: "ready", identity }),
    (error: unknown) => (current = { status: "error", message: message(error) }),
  );
  return {
    get current() {
      return current;
    },
    keystore,
    async replace(seed) {
      const identity = await keystore.replaceWithSeed(seed);
      current = { status: "ready", identity };
      return identity;
    },
  };
}

/** "did:key:z6MkhaXg…2doK": enough to tell two identities apart at a glance. */
export const shortDid = (did: string): string => `${did.slice(0, 16)}…${did.slice(-4)}`;
