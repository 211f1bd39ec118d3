/**
 * The membership steps every front end shares (src/core/ledger/membership.ts), on real ledgers
 * over two automerge-repo repos: alice creates a pool and invites, bob joins through the link,
 * the link runs out, bob may neither invite nor revoke, alice revokes bob and then the link.
 */
import { afterEach, describe, expect, it } from "vitest";
import { parseInviteLink, redeemInvite, type Redemption } from "../../../src/core/capability/invite.ts";
import { Ledger } from "../../../src/core/ledger/ledger.ts";
import { appendOwn, createPoolInvite, inviteStanding, joinWithInvite, revocationTarget, revokeTarget, type InviteTerms } from "../../../src/core/ledger/membership.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { createPool } from "../../../src/core/ledger/writer.ts";
import { alice, bob, carol, type TestIdentity } from "../../fixtures/identities.ts";
import { meshOf, type Network } from "./network.ts";
import { until } from "../../fixtures/until.ts";

let network: Network | undefined;
afterEach(async () => {
  await network?.close();
  network = undefined;
});

const nowS = () => Math.floor(Date.now() / 1000);
const terms = (overrides: Partial<InviteTerms> = {}): InviteTerms => ({
  abilities: ["job/run", "job/submit"],
  uses: 1,
  joinBefore: nowS() + 3600,
  memberExpiration: nowS() + 86_400,
  appUrl: "https://app.example/",
  relay: undefined,
  ...overrides,
});

async function twoNodes(): Promise<{ aliceLedger: Ledger; bobLedger: Ledger }> {
  network = meshOf(["alice", "bob"]);
  const created = await createPool(alice, { name: "Render farm", replication: 1, rewardPerJob: 0, vestingSeconds: 60, leaseSeconds: 300 }, new Uint8Array(16).fill(7), Date.now());
  const open = (i: number) => Ledger.open({ repo: network!.peers[i]!.repo, storage: network!.peers[i]!.storage, pool: created.pool, authoriser: new UcanAuthoriser(), now: Date.now });
  const aliceLedger = await open(0);
  expect(await appendOwn(aliceLedger, created.entry)).toEqual({ ok: true });
  const bobLedger = await open(1);
  await until(() => bobLedger.state.pool !== undefined, "bob's node to receive the pool");
  return { aliceLedger, bobLedger };
}

async function linkFrom(ledger: Ledger, inviter: TestIdentity, overrides: Partial<InviteTerms> = {}): Promise<string> {
  const created = await createPoolInvite(ledger, inviter, terms(overrides), Date.now());
  if (!created.ok) throw new Error(created.message);
  return created.link;
}

async function redeemFor(link: string, joiner: TestIdentity): Promise<Redemption> {
  const parsed = parseInviteLink(link);
  if (!parsed.ok) throw new Error(parsed.message);
  const redeemed = await redeemInvite(parsed.invite, joiner.did, nowS());
  if (!redeemed.ok) throw new Error(redeemed.message);
  return redeemed.redemption;
}

describe("membership steps shared by the CLI and the app", () => {
  it("joins through a link that carries the pool's name as a hint, refuses a used-up link, and counts a second join as already a member", async () => {
    const { aliceLedger, bobLedger } = await twoNodes();
    const link = await linkFrom(aliceLedger, alice);
    const parsed = parseInviteLink(link);
    expect(parsed.ok && parsed.invite.nameHint).toBe("Render farm");

    const redemption = await redeemFor(link, bob);
    expect(await joinWithInvite(bobLedger, bob, redemption, Date.now())).toEqual({ ok: true, status: "joined", abilities: ["job/run", "job/submit"], usesLeft: 0 });
    expect(await joinWithInvite(bobLedger, bob, redemption, Date.now())).toMatchObject({ ok: true, status: "already-member" });
    await until(() => aliceLedger.state.members[bob.did] !== undefined, "alice's node to see bob's join");

    const carols = await redeemFor(link, carol);
    expect(inviteStanding(aliceLedger, carols, carol.did)).toMatchObject({ ok: false, reason: "invite-used-up" });
    expect(inviteStanding(aliceLedger, carols, bob.did)).toEqual({ ok: true, usesLeft: 0, member: ["job/run", "job/submit"] });
    const refused = await joinWithInvite(aliceLedger, carol, carols, Date.now());
    expect(refused).toMatchObject({ ok: false, reason: "invite-used-up" });
    expect(aliceLedger.state.members[carol.did]).toBeUndefined();
  });

  it("lets only a holder of member/invite invite, and only an issuer revoke", async () => {
    const { aliceLedger, bobLedger } = await twoNodes();
    await joinWithInvite(bobLedger, bob, await redeemFor(await linkFrom(aliceLedger, alice), bob), Date.now());
    expect(await createPoolInvite(bobLedger, bob, terms(), Date.now())).toMatchObject({ ok: false, reason: "escalation" });
    expect(await createPoolInvite(bobLedger, carol, terms(), Date.now())).toMatchObject({ ok: false, reason: "not-a-member" });

    await until(() => aliceLedger.state.members[bob.did] !== undefined, "alice's node to see bob's join");
    const target = revocationTarget(bobLedger, alice.did);
    expect(target).toMatchObject({ ok: false, reason: "unknown-target" });
    const bobsOwn = revocationTarget(bobLedger, bob.did);
    if (!bobsOwn.ok) throw new Error(bobsOwn.message);
    expect(await revokeTarget(bobLedger, carol, bobsOwn, Date.now())).toMatchObject({ ok: false, reason: "escalation" });
    expect(revocationTarget(bobLedger, "not a target")).toMatchObject({ ok: false, reason: "unknown-target" });
  });

  it("revokes a member by DID (its entries so far stay honoured), then says a second revocation changes nothing", async () => {
    const { aliceLedger, bobLedger } = await twoNodes();
    const link = await linkFrom(aliceLedger, alice, { uses: 2 });
    await joinWithInvite(bobLedger, bob, await redeemFor(link, bob), Date.now());
    await until(() => aliceLedger.state.members[bob.did] !== undefined, "alice's node to see bob's join");

    const target = revocationTarget(aliceLedger, bob.did);
    if (!target.ok) throw new Error(target.message);
    const revoked = await revokeTarget(aliceLedger, alice, target, Date.now());
    expect(revoked).toMatchObject({ ok: true, already: false, honoured: { [bob.did]: 1 } });
    expect(aliceLedger.state.members[bob.did]!.revoked).toEqual(expect.any(Number));
    await until(() => bobLedger.state.members[bob.did]?.revoked !== undefined, "bob's node to see the revocation");
    expect(await revokeTarget(aliceLedger, alice, target, Date.now())).toMatchObject({ ok: true, already: true });

    const byLink = revocationTarget(aliceLedger, link);
    if (!byLink.ok) throw new Error(byLink.message);
    expect(await revokeTarget(aliceLedger, alice, byLink, Date.now())).toMatchObject({ ok: true, already: false });
    expect(await joinWithInvite(aliceLedger, carol, await redeemFor(link, carol), Date.now())).toMatchObject({ ok: false, reason: "revoked" });
  });
});
