/**
 * Interoperability with stock @ucans/ucans 0.12 through the published UCAN identities
 * (../shared/vectors/ucan-identities.json): their seeds give their DIDs in our did:key codec,
 * our delegations verify in the stock library, and the stock library's delegations pass our check.
 */
import { describe, expect, it } from "vitest";
import * as stock from "@ucans/ucans";
import { readVectors } from "../../../fixtures/vectors.ts";
import { hexToBytes, seedSigningKey } from "../../../../src/core/crypto/index.ts";
import { didFromPublicKey } from "../../../../src/core/identity/did-key.ts";
import { delegate } from "../../../../src/core/capability/issue.ts";
import { poolResource } from "../../../../src/core/capability/abilities.ts";
import { derivePoolId } from "../../../../src/core/capability/pool.ts";
import { PoolAuthority } from "../../../../src/core/capability/authority.ts";
import { NO_REVOCATIONS } from "../../../../src/core/capability/revocation.ts";

interface UcanIdentity {
  name: "alice" | "bob" | "mallory";
  secretKeyBase64: string;
  seedHex: string;
  did: string;
}
const { identities } = readVectors<{ identities: UcanIdentity[] }>("ucan-identities.json");
const named = Object.fromEntries(identities.map((i) => [i.name, { ...i, key: seedSigningKey(hexToBytes(i.seedHex)) }]));
const alice = named.alice!;
const bob = named.bob!;
const mallory = named.mallory!;

const now = Math.floor(Date.now() / 1000);
const pool = derivePoolId(alice.did as never, new Uint8Array(16).fill(5));
const jobRun = { with: stock.capability.resourcePointer.parse(poolResource(pool)), can: stock.ability.parse("job/run") };
const ours = (author: string, proof: string) =>
  new PoolAuthority().authorise({ pool, root: alice.did as never, author: author as never, at: now, seq: 1, proof, revocations: NO_REVOCATIONS, ability: "job/run" });

describe("published UCAN identities", () => {
  it("derive the published DIDs from their seeds", () => {
    for (const identity of Object.values(named)) expect(didFromPublicKey(identity.key.publicKey)).toBe(identity.did);
  });

  it("our delegation verifies in stock @ucans/ucans", async () => {
    const token = await delegate({ issuer: alice.key, audience: bob.did as never, pool, abilities: ["job/run"], expiration: now + 600 });
    const result = await stock.verify(token, { audience: bob.did, requiredCapabilities: [{ capability: jobRun, rootIssuer: alice.did }] });
    expect(result.ok).toBe(true);
  });

  it("a stock @ucans/ucans delegation passes our check", async () => {
    const issuer = stock.EdKeypair.fromSecretKey(alice.secretKeyBase64);
    const token = stock.encode(await stock.build({ issuer, audience: bob.did, capabilities: [jobRun], expiration: now + 600 }));
    expect(await ours(bob.did, token)).toMatchObject({ ok: true });
  });

  it("mallory's re-signature of alice's delegation is refused by both", async () => {
    const [header, payload] = (await delegate({ issuer: alice.key, audience: mallory.did as never, pool, abilities: ["job/run"], expiration: now + 600 })).split(".");
    const signature = await mallory.key.sign(new TextEncoder().encode(`${header}.${payload}`));
    const forged = `${header}.${payload}.${Buffer.from(signature).toString("base64url")}`;
    expect(await ours(mallory.did, forged)).toMatchObject({ ok: false, reason: "bad-signature" });
    expect((await stock.verify(forged, { audience: mallory.did, requiredCapabilities: [{ capability: jobRun, rootIssuer: alice.did }] })).ok).toBe(false);
  });
});
