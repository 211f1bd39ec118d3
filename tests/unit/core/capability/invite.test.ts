/** Invite links: what the URL reveals, redemption, and the refusals a joiner can meet. */
import { describe, expect, it } from "vitest";
import { alice, bob, carol, mallory } from "../../../fixtures/identities.ts";
import { HOUR, NOW, grant, newAuthority, pool, query } from "./pool-fixture.ts";
import { createInvite, parseInviteLink, redeemInvite } from "../../../../src/core/capability/invite.ts";
import { ALL_ABILITIES } from "../../../../src/core/capability/abilities.ts";
import { checkRevoker } from "../../../../src/core/capability/revocation.ts";
import { TokenVerifier } from "../../../../src/core/capability/chain.ts";
import { base64url } from "multiformats/bases/base64";

const rootInvite = (overrides: Partial<Parameters<typeof createInvite>[0]> = {}) =>
  createInvite({
    inviter: alice.signingKey,
    inviterProof: undefined,
    inviterHolds: new Set(ALL_ABILITIES),
    pool,
    abilities: ["job/run", "job/submit"],
    uses: 5,
    joinBefore: NOW + 7 * 24 * HOUR,
    memberExpiration: NOW + 365 * 24 * HOUR,
    appUrl: "https://app.example/",
    ...overrides,
  });

describe("invite links", () => {
  it("puts everything that lets one join in the fragment, nothing in the path or query", async () => {
    const created = await rootInvite();
    if (!created.ok) throw new Error(created.message);
    const url = new URL(created.link);
    expect(url.origin + url.pathname + url.search).toBe("https://app.example/");
    expect(url.hash.startsWith("#/join/")).toBe(true);
  });

  it("lets a joiner redeem a link into a delegation that authorises it in the pool", async () => {
    const created = await rootInvite();
    if (!created.ok) throw new Error(created.message);
    const parsed = parseInviteLink(created.link);
    if (!parsed.ok) throw new Error(parsed.message);
    const redeemed = await redeemInvite(parsed.invite, carol.did, NOW);
    if (!redeemed.ok) throw new Error(redeemed.message);
    expect(redeemed.redemption).toMatchObject({ pool, invite: created.invite, inviter: alice.did, abilities: ["job/run", "job/submit"], terms: { uses: 5 } });
    const authority = newAuthority();
    expect(await authority.authorise(query(carol, redeemed.redemption.proof, "job/submit"))).toMatchObject({ ok: true });
    expect(authority.checkJoin(query(carol, redeemed.redemption.proof, "job/run"))).toMatchObject({ ok: true, use: { invite: created.invite, inviter: alice.did } });
  });

  it("lets a member holding member/invite invite with what it holds, and no more", async () => {
    const bobToken = await grant({ from: alice, to: bob, can: ["member/invite", "job/run"] });
    const holds = new Set(["member/invite", "job/run"] as const);
    const base = { inviter: bob.signingKey, inviterProof: bobToken, inviterHolds: holds };
    expect(await rootInvite({ ...base, abilities: ["job/run"] })).toMatchObject({ ok: true, expiration: NOW + 24 * HOUR });
    expect(await rootInvite({ ...base, abilities: ["job/submit"] })).toMatchObject({ ok: false, reason: "escalation" });
    expect(await rootInvite({ ...base, inviterHolds: new Set(["job/run"] as const), abilities: ["job/run"] })).toMatchObject({ ok: false, reason: "escalation" });
  });

  it("refuses an expired link, saying when and whom to ask", async () => {
    const created = await rootInvite({ joinBefore: NOW - 1 });
    if (!created.ok) throw new Error(created.message);
    const parsed = parseInviteLink(created.link);
    if (!parsed.ok) throw new Error(parsed.message);
    const redeemed = await redeemInvite(parsed.invite, carol.did, NOW);
    expect(redeemed).toMatchObject({ ok: false, reason: "invite-expired" });
    expect(!redeemed.ok && redeemed.message).toMatch(/expired at .*ask did:key:.* for a new link/);
  });

  it("refuses a join recorded after the link's deadline (the ledger's check)", async () => {
    const created = await rootInvite({ joinBefore: NOW + HOUR });
    if (!created.ok) throw new Error(created.message);
    const parsed = parseInviteLink(created.link);
    if (!parsed.ok) throw new Error(parsed.message);
    const redeemed = await redeemInvite(parsed.invite, carol.did, NOW);
    if (!redeemed.ok) throw new Error(redeemed.message);
    const authority = newAuthority();
    expect(await authority.checkProof(redeemed.redemption.proof, pool)).toEqual({ ok: true });
    expect(authority.checkJoin(query(carol, redeemed.redemption.proof, "job/run", { at: NOW + 2 * HOUR }))).toMatchObject({ ok: false, reason: "invite-expired" });
  });

  it("refuses links that are not links, without throwing", () => {
    for (const junk of ["", "https://app.example/", "https://app.example/#/join/!!!", "https://app.example/#/join/e30", 42, "#/join/" + "A".repeat(60_000)]) {
      expect(parseInviteLink(junk)).toMatchObject({ ok: false, reason: "malformed" });
    }
  });

  it("carries the pool's name only as a bounded hint, and refuses a link whose hint is not a name", async () => {
    const created = await rootInvite({ poolName: "Render farm" });
    if (!created.ok) throw new Error(created.message);
    const parsed = parseInviteLink(created.link);
    expect(parsed).toMatchObject({ ok: true, invite: { nameHint: "Render farm" } });
    const payload = JSON.parse(new TextDecoder().decode(base64url.baseDecode(new URL(created.link).hash.slice("#/join/".length))));
    for (const name of [42, "", "x".repeat(65)]) {
      const forged = `https://app.example/#/join/${base64url.baseEncode(new TextEncoder().encode(JSON.stringify({ ...payload, name })))}`;
      expect(parseInviteLink(forged)).toMatchObject({ ok: false, reason: "malformed", message: expect.stringContaining("bad pool name") });
    }
    const withoutName = await rootInvite();
    expect(withoutName.ok && parseInviteLink(withoutName.link)).toMatchObject({ ok: true, invite: { nameHint: undefined } });
  });

  it("carries a private pool's pointer (epoch document, mailbox item) and the seed it was given, and refuses a malformed pointer", async () => {
    const seed = new Uint8Array(32).fill(9);
    const sealed = { document: "4NMNnkMhL8jXrdJ9jamS58PAVdXu", epoch: 2, mailbox: "ab".repeat(32) };
    const created = await rootInvite({ seed, sealed });
    if (!created.ok) throw new Error(created.message);
    expect(parseInviteLink(created.link)).toMatchObject({ ok: true, invite: { key: seed, sealed } });
    const payload = JSON.parse(new TextDecoder().decode(base64url.baseDecode(new URL(created.link).hash.slice("#/join/".length))));
    for (const bad of ["x", { ...sealed, document: "not/a/document" }, { ...sealed, epoch: -1 }, { ...sealed, epoch: 1.5 }, { ...sealed, mailbox: "AB".repeat(32) }, { ...sealed, mailbox: "ab" }]) {
      const forged = `https://app.example/#/join/${base64url.baseEncode(new TextEncoder().encode(JSON.stringify({ ...payload, sealed: bad })))}`;
      expect(parseInviteLink(forged), JSON.stringify(bad)).toMatchObject({ ok: false, reason: "malformed", message: expect.stringContaining("bad private-pool part") });
    }
    const plain = await rootInvite();
    expect(plain.ok && parseInviteLink(plain.link)).toMatchObject({ ok: true, invite: { sealed: undefined } });
  });

  it("refuses a link whose key was swapped for another", async () => {
    const created = await rootInvite();
    if (!created.ok) throw new Error(created.message);
    const parsed = parseInviteLink(created.link);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(await redeemInvite({ ...parsed.invite, key: mallory.seed }, carol.did, NOW)).toMatchObject({ ok: false, reason: "malformed" });
  });
});

describe("who may revoke", () => {
  it("lets an issuer anywhere upstream revoke, and nobody else", async () => {
    const bobToken = await grant({ from: alice, to: bob, can: ["member/invite", "job/run"] });
    const carolToken = await grant({ from: bob, to: carol, can: ["job/run"], proof: bobToken });
    const verifier = new TokenVerifier();
    expect(await checkRevoker(carolToken, alice.did, verifier)).toMatchObject({ ok: true });
    expect(await checkRevoker(carolToken, bob.did, verifier)).toMatchObject({ ok: true });
    expect(await checkRevoker(carolToken, carol.did, verifier)).toMatchObject({ ok: false, reason: "escalation" });
    expect(await checkRevoker(carolToken, mallory.did, verifier)).toMatchObject({ ok: false, reason: "escalation" });
  });
});
