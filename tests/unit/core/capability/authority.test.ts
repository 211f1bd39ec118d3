/**
 * PoolAuthority: who holds which ability in a pool. Happy paths first, then each attack on its
 * own, refused with its reason.
 */
import { describe, expect, it } from "vitest";
import { base64url } from "multiformats/bases/base64";
import { alice, bob, carol, dave, mallory } from "../../../fixtures/identities.ts";
import { AUTHORITIES, HOUR, NOW, grant, newAuthority, otherPool, query } from "./pool-fixture.ts";
import { TokenVerifier, tokenHash } from "../../../../src/core/capability/chain.ts";
import { PoolAuthority } from "../../../../src/core/capability/authority.ts";
import { verify } from "../../../../src/core/crypto/index.ts";
import { mergeRevocations } from "../../../../src/core/capability/revocation.ts";

const authority = newAuthority();
const bobToken = await grant({ from: alice, to: bob, can: ["member/invite", "job/submit", "job/run"] });
const carolToken = await grant({ from: bob, to: carol, can: ["job/run"], proof: bobToken });

/** `token` with its payload replaced by `payload` (bytes) and signed by `signer`: a real signature over new bytes. */
async function resigned(token: string, payload: Uint8Array, signer = alice): Promise<string> {
  const header = token.split(".")[0]!;
  const signedData = `${header}.${base64url.baseEncode(payload)}`;
  return `${signedData}.${base64url.baseEncode(await signer.signingKey.sign(new TextEncoder().encode(signedData)))}`;
}

const claimsOf = (token: string): Record<string, unknown> => JSON.parse(new TextDecoder().decode(base64url.baseDecode(token.split(".")[1]!)));

describe("holding abilities", () => {
  it("lets the pool root do anything without a delegation", async () => {
    expect(await authority.authorise(query(alice, undefined, "pool/admin"))).toMatchObject({ ok: true });
  });

  it("lets a member use an ability the root delegated", async () => {
    const result = await authority.authorise(query(bob, bobToken, "job/submit"));
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && [...result.grant.abilities].sort()).toEqual(["job/run", "job/submit", "member/invite"]);
  });

  it("lets a member with member/invite delegate a part of what it holds", async () => {
    expect(await authority.authorise(query(carol, carolToken, "job/run"))).toMatchObject({ ok: true });
  });

  it("treats pool/admin as every ability", async () => {
    const admin = await grant({ from: alice, to: dave, can: ["pool/admin"] });
    expect(await authority.authorise(query(dave, admin, "ledger/checkpoint"))).toMatchObject({ ok: true });
  });

  it("refuses an ability the chain does not grant", async () => {
    expect(await authority.authorise(query(carol, carolToken, "job/submit"))).toMatchObject({ ok: false, reason: "not-granted" });
  });

  it("refuses a non-root author with no delegation", async () => {
    expect(await authority.authorise(query(mallory, undefined, "job/run"))).toMatchObject({ ok: false, reason: "not-granted" });
  });
});

describe.each(AUTHORITIES)("attacks, signatures verified through %s", (_path, newAuthority) => {
  const authority = newAuthority();

  it("refuses escalation: a delegate granting more than its issuer holds", async () => {
    const escalated = await grant({ from: bob, to: mallory, can: ["pool/admin"], proof: bobToken });
    expect(await authority.authorise(query(mallory, escalated, "pool/admin"))).toMatchObject({ ok: false, reason: "escalation" });
  });

  it("refuses a delegation by a member without member/invite", async () => {
    const passedOn = await grant({ from: carol, to: mallory, can: ["job/run"], proof: carolToken });
    expect(await authority.authorise(query(mallory, passedOn, "job/run"))).toMatchObject({ ok: false, reason: "escalation" });
  });

  it("refuses a forged token: payload changed under the original signature", async () => {
    const [header, payload, signature] = bobToken.split(".");
    const claims = JSON.parse(new TextDecoder().decode(base64url.baseDecode(payload!)));
    claims.att = [{ with: claims.att[0].with, can: "pool/admin" }];
    const forged = [header, base64url.baseEncode(new TextEncoder().encode(JSON.stringify(claims))), signature].join(".");
    expect(await authority.authorise(query(bob, forged, "pool/admin"))).toMatchObject({ ok: false, reason: "bad-signature" });
  });

  it("refuses a token re-signed by someone other than its claimed issuer", async () => {
    const [header, payload] = bobToken.split(".");
    const signature = await mallory.signingKey.sign(new TextEncoder().encode(`${header}.${payload}`));
    const resigned = `${header}.${payload}.${base64url.baseEncode(signature)}`;
    expect(await authority.authorise(query(bob, resigned, "job/run"))).toMatchObject({ ok: false, reason: "bad-signature" });
  });

  it("refuses the second spelling of a signature (S + L, non-canonical)", async () => {
    const [header, payload, signature] = bobToken.split(".");
    const bytes = base64url.baseDecode(signature!);
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(bytes[32 + i]!);
    s += L;
    for (let i = 0; i < 32; i++) bytes[32 + i] = Number((s >> BigInt(8 * i)) & 0xffn);
    const malleated = `${header}.${payload}.${base64url.baseEncode(bytes)}`;
    expect(await authority.authorise(query(bob, malleated, "job/run"))).toMatchObject({ ok: false, reason: "bad-signature" });
  });

  it("refuses an expired delegation", async () => {
    const shortLived = await grant({ from: alice, to: bob, can: ["job/run"], exp: NOW - 1 });
    expect(await authority.authorise(query(bob, shortLived, "job/run"))).toMatchObject({ ok: false, reason: "expired" });
  });

  it("refuses a delegation before its not-before time", async () => {
    const later = await grant({ from: alice, to: bob, can: ["job/run"], nbf: NOW + HOUR });
    expect(await authority.authorise(query(bob, later, "job/run"))).toMatchObject({ ok: false, reason: "not-yet-valid" });
  });

  it("refuses a delegation that outlives its proof", async () => {
    const outliving = await grant({ from: bob, to: carol, can: ["job/run"], proof: bobToken, exp: NOW + 48 * HOUR });
    expect(await authority.authorise(query(carol, outliving, "job/run"))).toMatchObject({ ok: false, reason: "outlives-proof" });
  });

  it("refuses a chain deeper than the pool allows", async () => {
    const shallow = newAuthority(2);
    const third = await grant({ from: carol, to: dave, can: ["job/run"], proof: await grant({ from: bob, to: carol, can: ["job/run", "member/invite"], proof: bobToken }) });
    expect(await shallow.authorise(query(carol, carolToken, "job/run"))).toMatchObject({ ok: true });
    expect(await shallow.authorise(query(dave, third, "job/run"))).toMatchObject({ ok: false, reason: "too-deep" });
  });

  it("refuses a chain that does not start at the pool root", async () => {
    const selfMade = await grant({ from: mallory, to: carol, can: ["pool/admin"] });
    expect(await authority.authorise(query(carol, selfMade, "job/run"))).toMatchObject({ ok: false, reason: "wrong-root" });
  });

  it("refuses a token for another pool", async () => {
    const elsewhere = await grant({ from: alice, to: bob, can: ["job/run"], pool: otherPool });
    expect(await authority.authorise(query(bob, elsewhere, "job/run"))).toMatchObject({ ok: false, reason: "wrong-pool" });
  });

  it("refuses someone else's delegation", async () => {
    expect(await authority.authorise(query(mallory, bobToken, "job/run"))).toMatchObject({ ok: false, reason: "wrong-audience" });
  });

  it("refuses an invite key acting in the pool itself", async () => {
    const invite = await grant({ from: alice, to: mallory, can: ["job/run"], invite: { uses: 1, joinBefore: NOW + HOUR } });
    expect(await authority.authorise(query(mallory, invite, "job/run"))).toMatchObject({ ok: false, reason: "escalation" });
  });

  it("refuses garbage instead of a token, without throwing", async () => {
    for (const junk of ["", "a.b.c", "x".repeat(70_000), bobToken + "A"]) {
      expect(await authority.authorise(query(bob, junk, "job/run"))).toMatchObject({ ok: false, reason: "malformed" });
    }
  });
});

describe("revocation", () => {
  const revokeBob = (honoured: Record<string, number>) => mergeRevocations([{ hash: tokenHash(bobToken), honoured }]);

  it("honours a revoked member's entries up to the sequence the revocation names", async () => {
    expect(await authority.authorise(query(bob, bobToken, "job/run", { seq: 5, revocations: revokeBob({ [bob.did]: 5 }) }))).toMatchObject({ ok: true });
  });

  it("refuses a revoked member's new entries", async () => {
    expect(await authority.authorise(query(bob, bobToken, "job/run", { seq: 6, revocations: revokeBob({ [bob.did]: 5 }) }))).toMatchObject({ ok: false, reason: "revoked" });
  });

  it("refuses a revoked member's backdated entry: its claimed time does not matter, its sequence does", async () => {
    const backdated = query(bob, bobToken, "job/run", { seq: 6, at: NOW - 12 * HOUR, revocations: revokeBob({ [bob.did]: 5 }) });
    expect(await authority.authorise(backdated)).toMatchObject({ ok: false, reason: "revoked" });
  });

  it("refuses everything resting on a revoked delegation, downstream members included", async () => {
    expect(await authority.authorise(query(carol, carolToken, "job/run", { revocations: revokeBob({ [bob.did]: 5 }) }))).toMatchObject({ ok: false, reason: "revoked" });
  });

  it("merges several revocations of one delegation to the strictest, in any order", () => {
    const a = { hash: tokenHash(bobToken), honoured: { [bob.did]: 5, [carol.did]: 2 } };
    const b = { hash: tokenHash(bobToken), honoured: { [bob.did]: 3 } };
    const merged = mergeRevocations([a, b]);
    expect(mergeRevocations([b, a])).toEqual(merged);
    expect(merged.get(tokenHash(bobToken))).toEqual(new Map([[bob.did, 3]]));
  });
});

describe("decoding and the order of checks", () => {
  it("reads a token whose JSON is not plain ASCII (a fact in UTF-8)", async () => {
    const withNote = await resigned(bobToken, new TextEncoder().encode(JSON.stringify({ ...claimsOf(bobToken), fct: [{ note: "Zoë’s laptop ✓" }] })));
    expect(await newAuthority().authorise(query(bob, withNote, "job/run"))).toMatchObject({ ok: true });
    expect(new TokenVerifier().structure(withNote)).toMatchObject({ ok: true, verified: { token: { fct: [{ note: "Zoë’s laptop ✓" }] } } });
  });

  it("refuses a payload that is not valid UTF-8, even when signed", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ ...claimsOf(bobToken), fct: [{ note: "\x7f" }] }));
    bytes[bytes.indexOf(0x7f)] = 0xff;
    expect(await newAuthority().authorise(query(bob, await resigned(bobToken, bytes), "job/run"))).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("refuses a chain by its pool rules before verifying any signature", async () => {
    let verified = 0;
    const counting = new PoolAuthority(new TokenVerifier({ verify: (...args) => (verified++, verify(...args)) }));
    const [header, payload] = (await grant({ from: bob, to: mallory, can: ["pool/admin"], proof: bobToken })).split(".");
    const unsigned = `${header}.${payload}.${"A".repeat(86)}`;
    expect(await counting.authorise(query(mallory, unsigned, "pool/admin"))).toMatchObject({ ok: false, reason: "escalation" });
    expect(verified).toBe(0);
    expect(await counting.authorise(query(carol, carolToken, "job/run"))).toMatchObject({ ok: true });
    expect(verified).toBe(2);
  });
});
