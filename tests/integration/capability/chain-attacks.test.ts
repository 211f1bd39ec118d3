/**
 * Each attack on a delegation chain, as the ledger meets it: an entry whose proof is forged,
 * escalated, expired, not yet valid, too deep, rooted elsewhere or made for another pool. Each is
 * refused with its reason, and the state is what it was without it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { base64url } from "multiformats/bases/base64";
import { alice, bob, carol, dave, mallory, type TestIdentity } from "../../fixtures/identities.ts";
import { delegate } from "../../../src/core/capability/issue.ts";
import { derivePoolId, type PoolId } from "../../../src/core/capability/pool.ts";
import type { Ability } from "../../../src/core/capability/abilities.ts";
import { EntryWriter } from "../../../src/core/ledger/writer.ts";
import type { SignedEntry } from "../../../src/core/ledger/types.ts";
import { T0, T0s, judge, newPool, stateBytes, submitEntry, type Pool } from "./pool-story.ts";

let p: Pool;
let baseline: string;

beforeAll(async () => {
  p = await newPool();
  baseline = stateBytes(await judge(p.pool, [p.genesis]));
});

const DAY = 24 * 3600;
const grant = (from: TestIdentity, to: TestIdentity, can: Ability[], extra: { proof?: string; exp?: number; nbf?: number; pool?: PoolId } = {}) =>
  delegate({ issuer: from.signingKey, audience: to.did, pool: extra.pool ?? p.pool, abilities: can, expiration: extra.exp ?? T0s + DAY, notBefore: extra.nbf, proof: extra.proof });

/** `author` submits a job with `proof`; returns the refusal text and whether the state moved. */
async function attempt(author: TestIdentity, proof: string): Promise<{ reason: string | undefined; unchanged: boolean }> {
  const entry: SignedEntry = await submitEntry(new EntryWriter(author, p.pool), T0 + 5000, proof);
  const judged = await judge(p.pool, [p.genesis, entry]);
  return { reason: judged.reasonOf(entry), unchanged: stateBytes(judged) === baseline };
}

describe("chain attacks in the ledger", () => {
  it("accepts an honest delegated member (the control)", async () => {
    const { reason, unchanged } = await attempt(bob, await grant(alice, bob, ["job/submit"]));
    expect(reason).toBeUndefined();
    expect(unchanged).toBe(false);
  });

  it("refuses escalation beyond the issuer's abilities", async () => {
    const bobs = await grant(alice, bob, ["member/invite", "job/run"]);
    expect(await attempt(mallory, await grant(bob, mallory, ["job/submit"], { proof: bobs }))).toEqual({ reason: expect.stringMatching(/^bad-proof escalation: /), unchanged: true });
  });

  it("refuses a forged token (payload changed, signature kept)", async () => {
    const [h, payload, sig] = (await grant(alice, mallory, ["job/run"])).split(".");
    const claims = JSON.parse(new TextDecoder().decode(base64url.baseDecode(payload!)));
    claims.att[0].can = "job/submit";
    const forged = `${h}.${base64url.baseEncode(new TextEncoder().encode(JSON.stringify(claims)))}.${sig}`;
    expect(await attempt(mallory, forged)).toEqual({ reason: expect.stringMatching(/^bad-proof bad-signature: /), unchanged: true });
  });

  it("refuses a token re-signed by another key", async () => {
    const [h, payload] = (await grant(alice, mallory, ["job/submit"])).split(".");
    const sig = await mallory.signingKey.sign(new TextEncoder().encode(`${h}.${payload}`));
    expect(await attempt(mallory, `${h}.${payload}.${base64url.baseEncode(sig)}`)).toEqual({ reason: expect.stringMatching(/^bad-proof bad-signature: /), unchanged: true });
  });

  it("refuses an expired delegation", async () => {
    expect(await attempt(bob, await grant(alice, bob, ["job/submit"], { exp: T0s - 1 }))).toEqual({ reason: expect.stringMatching(/^not-authorised expired: /), unchanged: true });
  });

  it("refuses a not-yet-valid delegation", async () => {
    expect(await attempt(bob, await grant(alice, bob, ["job/submit"], { nbf: T0s + 3600 }))).toEqual({ reason: expect.stringMatching(/^not-authorised not-yet-valid: /), unchanged: true });
  });

  it("refuses a chain deeper than allowed (default 6 links)", async () => {
    const people = [alice, bob, carol, dave, bob, carol, dave];
    let proof: string | undefined;
    for (let i = 1; i < people.length; i++) proof = await grant(people[i - 1]!, people[i]!, ["member/invite", "job/submit"], { proof });
    expect(await attempt(dave, proof!)).toMatchObject({ reason: undefined });
    const deeper = await grant(dave, mallory, ["job/submit"], { proof });
    expect(await attempt(mallory, deeper)).toEqual({ reason: expect.stringMatching(/^bad-proof too-deep: /), unchanged: true });
  });

  it("refuses a chain that does not reach the pool root", async () => {
    expect(await attempt(carol, await grant(mallory, carol, ["job/submit"]))).toEqual({ reason: expect.stringMatching(/^not-authorised wrong-root: /), unchanged: true });
  });

  it("refuses a token for another pool", async () => {
    const elsewhere = derivePoolId(alice.did, new Uint8Array(16).fill(3));
    expect(await attempt(bob, await grant(alice, bob, ["job/submit"], { pool: elsewhere }))).toEqual({ reason: expect.stringMatching(/^bad-proof wrong-pool: /), unchanged: true });
  });

  it("refuses a member using someone else's delegation", async () => {
    expect(await attempt(mallory, await grant(alice, bob, ["job/submit"]))).toEqual({ reason: expect.stringMatching(/^not-authorised wrong-audience: /), unchanged: true });
  });
});
