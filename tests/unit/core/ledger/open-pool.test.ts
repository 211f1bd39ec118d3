import { describe, expect, it } from "vitest";
import { solveJoinStamp } from "../../../../src/core/capability/join-stamp.ts";
import { joinTokenChallenge, type TokenSubject } from "../../../../src/core/capability/join-token.ts";
import { derivePoolId } from "../../../../src/core/capability/pool.ts";
import { blindTokenRequest } from "../../../../src/core/crypto/blind-rsa-client.ts";
import { blindSign, generateIssuerKey, issuerKeyFromPem, type BlindRsaIssuerKey } from "../../../../src/core/crypto/blind-rsa-issuer-node.ts";
import { bytesToHex, seedSigningKey } from "../../../../src/core/crypto/index.ts";
import { didFromPublicKey } from "../../../../src/core/identity/did-key.ts";
import { foldEntries } from "../../../../src/core/ledger/fold.ts";
import { authoriseOpenJoin } from "../../../../src/core/ledger/open-authorisation.ts";
import type { SignedEntry } from "../../../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { contextOf, validateEntry } from "../../../../src/core/ledger/validate.ts";
import { EPOCH_MS } from "../../../../src/core/ledger/verdict.ts";
import { EntryWriter, resultCommitment } from "../../../../src/core/ledger/writer.ts";
import { alice, bob, carol, dave, type TestIdentity } from "../../../fixtures/identities.ts";

const T0 = 1_767_225_600_000 + 3_600_000; // one hour into an epoch
const EPOCH = Math.floor(T0 / EPOCH_MS);
const BITS = 6;
const settings = { name: "open science", replication: 3, rewardPerJob: 10, vestingSeconds: 86_400, leaseSeconds: 300 };
const nonce = new Uint8Array(16).fill(9);
const pool = derivePoolId(alice.did, nonce);
const issuerKey = (() => {
  const key = issuerKeyFromPem(generateIssuerKey());
  if (!key.ok) throw new Error(key.message);
  return key.key;
})();
const ISSUER_URL = "https://tokens.example.org";

const stranger = (i: number): TestIdentity => {
  const seed = new Uint8Array(32).fill(0).map((_, j) => (j === 0 ? 0xa0 : j === 1 ? i : 7));
  const signingKey = seedSigningKey(seed);
  return { name: `stranger${i}`, did: didFromPublicKey(signingKey.publicKey), signingKey, seed };
};

async function genesis(open: { stampBits: number }): Promise<SignedEntry[]> {
  const root = new EntryWriter(alice, pool);
  return [
    await root.write("pool.create", { nonce, settings, open }, T0),
    await root.write("pool.issuer", { url: ISSUER_URL, key: issuerKey.spki }, T0 + 1),
  ];
}

async function stampJoin(who: TestIdentity, time: number, epoch = Math.floor(time / EPOCH_MS)): Promise<SignedEntry> {
  const solved = await solveJoinStamp({ pool, did: who.did }, BITS, epoch, { start: new Uint8Array(8) });
  if (!solved.ok) throw new Error(solved.message);
  return new EntryWriter(who, pool).write("member.join", { member: who.did, abilities: ["job/run"], stamp: solved.stamp }, time);
}

async function token(who: TestIdentity, epoch = EPOCH, subject: Partial<TokenSubject> = {}, key: BlindRsaIssuerKey = issuerKey): Promise<Uint8Array> {
  const pending = await blindTokenRequest(joinTokenChallenge(new URL(ISSUER_URL).host, { pool, did: who.did, ...subject }, epoch), key.spki);
  const signed = blindSign(key, pending.request);
  if (!signed.ok) throw new Error(signed.message);
  return pending.finalize(signed.response);
}

const fold = (entries: SignedEntry[]) => foldEntries(entries, new UcanAuthoriser());

describe("open pools in the fold", () => {
  it("admits a stranger who paid with a stamp, who may then run and submit nothing beyond the open abilities", async () => {
    const join = await stampJoin(bob, T0 + 10);
    const writer = new EntryWriter(bob, pool, 1);
    const submit = await writer.write("job.submit", { task: "ab".repeat(32), input: new Uint8Array(1), replicas: 1, reward: 0, deadline: T0 + 600_000 }, T0 + 20);
    const result = fold([...(await genesis({ stampBits: BITS })), join, submit]);
    expect(result.rejected.get(join.id)).toBeUndefined();
    expect(result.state.members[bob.did]).toMatchObject({ abilities: ["job/run"], admission: "stamp", since: T0 + 10 });
    // bob joined with job/run only: a submission needs job/submit.
    expect(result.rejected.get(submit.id)).toMatchObject({ reason: "not-authorised" });
  });

  it("refuses a stamp below the difficulty, from a stale epoch or solved for another DID, and one in an invite-only pool", async () => {
    const stale = await stampJoin(bob, T0 + 10, EPOCH - 2);
    const solved = await solveJoinStamp({ pool, did: carol.did }, BITS, EPOCH, { start: new Uint8Array(8) });
    if (!solved.ok) throw new Error(solved.message);
    const thief = stranger(1);
    const borrowed = await new EntryWriter(thief, pool).write("member.join", { member: thief.did, abilities: ["job/run"], stamp: solved.stamp }, T0 + 10);
    const tooWeak = await stampJoin(carol, T0 + 10);
    const open = fold([...(await genesis({ stampBits: BITS })), stale, borrowed]);
    expect(open.rejected.get(stale.id)?.message).toMatch(/stamp-stale-epoch/);
    expect(open.rejected.get(borrowed.id)?.message).toMatch(/stamp-too-weak/);
    expect(fold([...(await genesis({ stampBits: 30 })), tooWeak]).rejected.get(tooWeak.id)?.message).toMatch(/stamp-too-weak/);
    const closed = [await new EntryWriter(alice, pool).write("pool.create", { nonce, settings }, T0)];
    expect(fold([...closed, await stampJoin(carol, T0 + 10)]).rejected.size).toBe(1);
  });

  it("admits a stranger with a token from a listed issuer, and refuses a tampered token, a token for another pool or one already spent", async () => {
    const bobToken = await token(bob);
    const join = await new EntryWriter(bob, pool).write("member.join", { member: bob.did, abilities: ["job/run", "job/submit"], token: bobToken }, T0 + 10);
    const tampered = Uint8Array.from(await token(carol));
    tampered[200]! ^= 1;
    const carolJoin = await new EntryWriter(carol, pool).write("member.join", { member: carol.did, abilities: ["job/run"], token: tampered }, T0 + 11);
    const result = fold([...(await genesis({ stampBits: 0 })), join, carolJoin]);
    expect(result.state.members[bob.did]).toMatchObject({ admission: "token" });
    expect(result.rejected.get(carolJoin.id)?.message).toMatch(/bad-token-signature/);
    // Spent: the fold kept the nonce, so the same token cannot pay again.
    expect(authoriseOpenJoin(join.entry, result.state)).toMatchObject({ ok: false, message: expect.stringMatching(/token-spent/) });
    // A stamp in a tokens-only pool is refused.
    const stamped = await stampJoin(carol, T0 + 12);
    expect(fold([...(await genesis({ stampBits: 0 })), stamped]).rejected.get(stamped.id)?.message).toMatch(/stamps-not-accepted/);
  });

  it("refuses an open join that asks for more than the open abilities, and an issuer listed by a non-admin", async () => {
    const solved = await solveJoinStamp({ pool, did: bob.did }, BITS, EPOCH, { start: new Uint8Array(8) });
    if (!solved.ok) throw new Error(solved.message);
    const greedy = await new EntryWriter(bob, pool).write("member.join", { member: bob.did, abilities: ["job/run", "member/invite"], stamp: solved.stamp }, T0 + 10);
    const listing = await new EntryWriter(carol, pool).write("pool.issuer", { url: "https://mine.example", key: issuerKey.spki }, T0 + 11);
    const result = fold([...(await genesis({ stampBits: BITS })), greedy, listing]);
    expect(result.rejected.get(greedy.id)?.message).toMatch(/escalation/);
    expect(result.rejected.get(listing.id)).toMatchObject({ reason: "not-authorised" });
  });

  it("holds the join cap under a burst of 100 joins: five per epoch, the rest queued in fold order", async () => {
    const strangers = Array.from({ length: 100 }, (_, i) => stranger(i));
    const joins = await Promise.all(strangers.map((s, i) => stampJoin(s, T0 + 100 + i)));
    const result = fold([...(await genesis({ stampBits: BITS })), ...joins]);
    expect(result.rejected.size).toBe(0);
    const since = strangers.map((s) => result.state.members[s.did]!.since);
    const perEpoch = new Map<number, number>();
    for (const time of since) perEpoch.set(Math.floor(time / EPOCH_MS), (perEpoch.get(Math.floor(time / EPOCH_MS)) ?? 0) + 1);
    // Caps: max(5, 5% of members); with 1..105 members that is 5 per epoch throughout.
    expect([...perEpoch.values()].every((n) => n <= 5)).toBe(true);
    expect(perEpoch.size).toBe(20);
    // Fold order is the queue: later joins never start before earlier ones.
    expect(since.every((time, i) => i === 0 || time >= since[i - 1]!)).toBe(true);
    // A queued stranger's entries before its turn are refused.
    const queued = strangers[99]!;
    const early = await new EntryWriter(queued, pool, 1).write("job.claim", { job: joins[0]!.id, replica: 0, until: T0 + 1000 }, T0 + 500);
    const again = fold([...(await genesis({ stampBits: BITS })), ...joins, early]);
    expect(again.rejected.get(early.id)?.message).toMatch(/join-queued/);
  });

  it("validates the new bodies statelessly: several payments at once, a malformed issuer", async () => {
    const context = contextOf({ pool, authoriser: new UcanAuthoriser(), now: () => T0 + 60_000 });
    const both = await new EntryWriter(bob, pool).write("member.join", { member: bob.did, abilities: ["job/run"], stamp: { epoch: EPOCH, nonce: "00".repeat(8) }, token: await token(bob) }, T0);
    expect(await validateEntry(both.bytes, context)).toMatchObject({ ok: false, reason: "bad-body" });
    const badIssuer = await new EntryWriter(alice, pool, 1).write("pool.issuer", { url: "ftp://x", key: issuerKey.spki }, T0);
    expect(await validateEntry(badIssuer.bytes, context)).toMatchObject({ ok: false, reason: "bad-body" });
  });

  it("an admin removes a stranger: entries it signed before stay, later ones are refused whatever time they claim, and it cannot join again", async () => {
    const join = await stampJoin(bob, T0 + 10);
    const carolJoin = await stampJoin(carol, T0 + 11);
    const bobs = new EntryWriter(bob, pool, 1);
    const claim = (time: number) => bobs.write("job.claim", { job: "ab".repeat(32), replica: 0 }, time);
    const honouredClaim = await claim(T0 + 20);
    // Applies from just after bob's join: every later entry of bob's is judged by its sequence.
    const removal = await new EntryWriter(alice, pool, 2).write("ucan.revoke", { target: bob.did, honoured: { [bob.did]: 2 }, from: T0 + 11 }, T0 + 30);
    const backdated = await claim(T0 + 20);
    const later = await claim(T0 + 40);
    const solved = await solveJoinStamp({ pool, did: bob.did }, BITS, EPOCH, { start: new Uint8Array(8) });
    if (!solved.ok) throw new Error(solved.message);
    const rejoin = await bobs.write("member.join", { member: bob.did, abilities: ["job/run"], stamp: solved.stamp }, T0 + 50);
    const byStranger = await new EntryWriter(carol, pool, 1).write("ucan.revoke", { target: bob.did, honoured: { [bob.did]: 1 }, from: T0 + 21 }, T0 + 31);
    const result = fold([...(await genesis({ stampBits: BITS })), join, carolJoin, honouredClaim, removal, backdated, later, rejoin, byStranger]);
    // The honoured claim passes authorisation (its job does not exist); the later ones do not.
    expect(result.rejected.get(honouredClaim.id)).toMatchObject({ reason: "unknown-reference" });
    expect(result.rejected.get(removal.id)).toBeUndefined();
    for (const refused of [backdated, later]) expect(result.rejected.get(refused.id)?.message).toMatch(/revoked: .* was removed/);
    expect(result.rejected.get(rejoin.id)?.message).toMatch(/cannot join again/);
    expect(result.rejected.get(byStranger.id)).toMatchObject({ reason: "not-authorised" });
    expect(result.state.members[bob.did]!.revoked).toBe(T0 + 30);
  });

  it("refuses a removal without a token that names an invited member, and one that honours other DIDs", async () => {
    const context = contextOf({ pool, authoriser: new UcanAuthoriser(), now: () => T0 + 60_000 });
    const wide = await new EntryWriter(alice, pool, 2).write("ucan.revoke", { target: bob.did, honoured: { [bob.did]: 1, [carol.did]: 1 }, from: T0 + 1 }, T0 + 30);
    expect(await validateEntry(wide.bytes, context)).toMatchObject({ ok: false, reason: "bad-proof" });
    const founder = await new EntryWriter(alice, pool, 2).write("ucan.revoke", { target: alice.did, honoured: { [alice.did]: 1 }, from: T0 + 1 }, T0 + 30);
    expect(fold([...(await genesis({ stampBits: BITS })), founder]).rejected.get(founder.id)?.message).toMatch(/not-a-stranger/);
  });
});

describe("anonymous submission in open pools", () => {
  const ephemeral = stranger(200);
  const enable = (maxReward = 50, time = T0 + 2) => new EntryWriter(alice, pool, 2).write("pool.anonymous", { enabled: 1, maxReward }, time);
  const job = { task: "ab".repeat(32), input: new Uint8Array(1), replicas: 1, reward: 40, deadline: T0 + 600_000 };
  const submitWith = (who: TestIdentity, paid: Uint8Array, body: Record<string, unknown> = {}, time = T0 + 20, seq = 0) => new EntryWriter(who, pool, seq).write("job.submit", { ...job, ...body, token: paid }, time);
  const submitToken = (who: TestIdentity, subject: Partial<TokenSubject> = {}, key?: BlindRsaIssuerKey) => token(who, EPOCH, { purpose: "submit", ...subject }, key);

  it("takes a job from a fresh key that spends a submit token: the fund pays the worker, the key gets no account", async () => {
    const paid = await submitToken(ephemeral);
    const submit = await submitWith(ephemeral, paid);
    const join = await stampJoin(bob, T0 + 10);
    const bobs = new EntryWriter(bob, pool, 1);
    const salt = new Uint8Array(16).fill(3);
    const output = new Uint8Array(32).fill(4);
    const work = [
      await bobs.write("job.claim", { job: submit.id, replica: 0 }, T0 + 30),
      await bobs.write("result.commit", { job: submit.id, replica: 0, commitment: resultCommitment(salt, output) }, T0 + 40),
      await bobs.write("result.reveal", { job: submit.id, salt, output }, T0 + 50),
    ];
    const result = fold([...(await genesis({ stampBits: BITS })), await enable(), join, submit, ...work]);
    expect([...result.rejected.values()]).toEqual([]);
    expect(result.state.jobs[submit.id]).toMatchObject({ submitter: ephemeral.did, status: "done", funded: true });
    expect(result.state.pool!.open!.spentTokens[bytesToHex(paid.subarray(2, 34))]).toBe(submit.id);
    expect(result.state.fund).toBe(-40);
    expect(result.state.accounts[bob.did]!.grants).toMatchObject([{ job: submit.id, amount: 40 }]);
    expect(result.state.accounts[ephemeral.did]).toBeUndefined();
    // Fund-paid work is no MeritRank edge: an anonymous submitter cannot raise a stranger's standing.
    expect(result.state.pool!.open!.work).toBeUndefined();
  });

  it("refuses a reused token, a token for another pool or purpose, an unlisted issuer, a reward above the cap, a key that wrote before, and a pool that did not enable it", async () => {
    const otherIssuer = issuerKeyFromPem(generateIssuerKey());
    if (!otherIssuer.ok) throw new Error(otherIssuer.message);
    const paid = await submitToken(ephemeral);
    const first = await submitWith(ephemeral, paid);
    const cases = {
      // The same key again (its second entry), and another key holding the same token.
      reused: await submitWith(ephemeral, paid, {}, T0 + 21, 1),
      moved: await submitWith(stranger(205), paid, {}, T0 + 21),
      otherPool: await submitWith(stranger(201), await submitToken(stranger(201), { pool: derivePoolId(alice.did, new Uint8Array(16).fill(10)) }), {}, T0 + 22),
      joinToken: await submitWith(stranger(202), await token(stranger(202)), {}, T0 + 23),
      unlisted: await submitWith(stranger(203), await submitToken(stranger(203), {}, otherIssuer.key), {}, T0 + 24),
      greedy: await submitWith(stranger(204), await submitToken(stranger(204)), { reward: 51 }, T0 + 25),
      // carol joined: a member's key is no ephemeral key, whatever token it holds.
      member: await submitWith(carol, await submitToken(carol), {}, T0 + 26, 1),
    };
    const carolJoin = await stampJoin(carol, T0 + 10);
    const result = fold([...(await genesis({ stampBits: BITS })), await enable(), carolJoin, first, ...Object.values(cases)]);
    expect(result.rejected.get(first.id)).toBeUndefined();
    const reasons = Object.fromEntries(Object.entries(cases).map(([name, s]) => [name, result.rejected.get(s.id)?.message.split(":")[0]]));
    expect(reasons).toEqual({ reused: "token-spent", moved: "token-wrong-binding", otherPool: "token-wrong-binding", joinToken: "token-wrong-binding", unlisted: "unlisted-issuer", greedy: "reward-too-high", member: "not-ephemeral" });
    // Not enabled (or enabled, then disabled): refused before the token is looked at.
    const disable = await new EntryWriter(alice, pool, 3).write("pool.anonymous", { enabled: 0, maxReward: 0 }, T0 + 3);
    const late = await submitWith(dave, await submitToken(dave), {}, T0 + 30);
    const closed = fold([...(await genesis({ stampBits: BITS })), await enable(), disable, late]);
    expect(closed.rejected.get(late.id)?.message).toMatch(/^anonymous-not-accepted/);
  });

  it("refuses spot checks and adaptive replication on an anonymous job, and pool.anonymous in a pool that is not open", async () => {
    const context = contextOf({ pool, authoriser: new UcanAuthoriser(), now: () => T0 + 60_000 });
    const spot = await submitWith(ephemeral, await submitToken(ephemeral), { spot: 100 });
    expect(await validateEntry(spot.bytes, context)).toMatchObject({ ok: false, reason: "bad-body" });
    const closed = [await new EntryWriter(alice, pool).write("pool.create", { nonce, settings }, T0)];
    const enabling = await enable();
    expect(fold([...closed, enabling]).rejected.get(enabling.id)).toMatchObject({ reason: "conflict" });
  });
});

describe("the join cap's member count", () => {
  it("is kept as the fold goes and equals the number of members not revoked", async () => {
    const joins = await Promise.all([bob, carol, dave].map((who, i) => stampJoin(who, T0 + 10 + i)));
    const removal = await new EntryWriter(alice, pool, 2).write("ucan.revoke", { target: carol.did, honoured: { [carol.did]: 1 }, from: T0 + 20 }, T0 + 30);
    const { state } = fold([...(await genesis({ stampBits: BITS })), ...joins, removal]);
    const current = Object.values(state.members).filter((m) => m.revoked === undefined).length;
    expect(state.pool!.open!.members).toBe(current);
    expect(current).toBe(3);
  });
});
