/**
 * The page's identity state: loads or creates this browser's identity once and exposes it to
 * components as runes. The rules live in the keystore; this only adapts its promise to state.
 */
import { IndexedDbKeystore, type BrowserIdentity } from "../core/identity/keystore-indexeddb-browser.ts";

export type IdentityState =
  | { readonly status: "loading" }
  | { readonly status: "ready"; readonly identity: BrowserIdentity }
  | { readonly status: "error"; readonly message: string };

export function createIdentityState(keystore = new IndexedDbKeystore()): { readonly current: IdentityState } {
  let current = $state<IdentityState>({ status: "loading" });
  keystore.loadOrCreate().then(
    (identity) => (current = { status: "ready", identity }),
    (error: unknown) => (current = { status: "error", message: error instanceof Error ? error.message : String(error) }),
  );
  return {
    get current() {
      return current;
    },
  };
}

/** "did:key:z6MkhaXg…2doK": enough to tell two identities apart at a glance. */
export const shortDid = (did: string): string => `${did.slice(0, 16)}…${did.slice(-4)}`;
