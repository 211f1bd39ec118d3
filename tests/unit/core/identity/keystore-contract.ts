import { expect, it } from "vitest";
import type { Keystore } from "../../../../src/core/identity/keystore.ts";
import { publicKeyOfDid } from "../../../../src/core/identity/did-key.ts";
import { utf8, verify } from "../../../../src/core/crypto/index.ts";

/**
 * What every Keystore must do, whatever it stores keys in. `fresh()` returns a keystore over empty
 * storage; `reopen()` a second instance over the same storage (another process, tab or restart).
 */
export function keystoreContract(setup: { fresh(): Keystore; reopen(): Keystore }): void {
  it("has no identity in empty storage", async () => {
    expect(await setup.fresh().load()).toBeUndefined();
  });

  it("creates an identity on first use and gives the same one after a reopen", async () => {
    const created = await setup.fresh().loadOrCreate();
    expect(created.did).toMatch(/^did:key:z6Mk/);
    expect((await setup.reopen().load())?.did).toBe(created.did);
    expect((await setup.reopen().loadOrCreate()).did).toBe(created.did);
  });

  it("signs with the key its DID names", async () => {
    const identity = await setup.fresh().loadOrCreate();
    const message = utf8("a ledger entry");
    expect(await verify(publicKeyOfDid(identity.did), message, await identity.signingKey.sign(message))).toEqual({ ok: true });
  });

  it("ends with one identity when several instances create at once", async () => {
    setup.fresh();
    const created = await Promise.all([1, 2, 3, 4].map(() => setup.reopen().loadOrCreate()));
    expect(new Set(created.map((identity) => identity.did)).size).toBe(1);
  });
}
