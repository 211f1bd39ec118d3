/**
 * Revocation in the real ledger: a revocation honours the revoked member's entries up to the
 * sequence it names and refuses every later one, whatever time it claims and whatever order the
 * entries arrive in (docs/capabilities.md, "Revocation and backdating").
 */
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { alice, bob, carol, mallory } from "../../fixtures/identities.ts";
import { tokenHash } from "../../../src/core/capability/chain.ts";
import type { Redemption } from "../../../src/core/capability/invite.ts";
import { EntryWriter } from "../../../src/core/ledger/writer.ts";
import type { SignedEntry } from "../../../src/core/ledger/types.ts";
import { T0, inviteAndRedeem, joinEntry, judge, newPool, stateBytes, submitEntry, type Pool } from "./pool-story.ts";

let p: Pool;
let bobJoin: Redemption;
let history: SignedEntry[];
let revocation: SignedEntry;
/** What bob may still sign: his writer continues after his honoured entries. */
let bobNext: () => EntryWriter;

beforeAll(async () => {
  p = await newPool();
  bobJoin = await inviteAndRedeem(p.pool, bob);
  const bobWriter = new EntryWriter(bob, p.pool);
  history = [p.genesis, await joinEntry(bobWriter, bob, bobJoin, T0 + 1000), await submitEntry(bobWriter, T0 + 2000, bobJoin.proof, "job A")];
  // alice revokes bob's delegation at T0+10s, honouring his entries 1 and 2, applying from the pool's start.
  revocation = await p.alice.write("ucan.revoke", { target: tokenHash(bobJoin.proof), token: bobJoin.proof, honoured: { [bob.did]: 2 }, from: T0 }, T0 + 10_000);
  bobNext = () => new EntryWriter(bob, p.pool, 2);
});

describe("revocation", () => {
  it("keeps the revoked member's entries up to the honoured sequence", async () => {
    const judged = await judge(p.pool, [...history, revocation]);
    expect(judged.refused.size + judged.rejected.size).toBe(0);
    expect(Object.keys(judged.state.jobs)).toHaveLength(1);
    expect(judged.state.members[bob.did]?.revoked).toBe(T0 + 10_000);
  });

  it("refuses a revoked member's new entry, and changes no state", async () => {
    const fresh = await submitEntry(bobNext(), T0 + 20_000, bobJoin.proof, "job B");
    const judged = await judge(p.pool, [...history, revocation, fresh]);
    expect(judged.reasonOf(fresh)).toMatch(/^not-authorised revoked: /);
    expect(stateBytes(judged)).toBe(stateBytes(await judge(p.pool, [...history, revocation])));
  });

  it("refuses a revoked member's backdated entry (claiming a time before the revocation), and changes no state", async () => {
    const backdated = await submitEntry(bobNext(), T0 + 3000, bobJoin.proof, "job C");
    expect((await judge(p.pool, [...history, backdated])).reasonOf(backdated)).toBeUndefined();
    const judged = await judge(p.pool, [...history, revocation, backdated]);
    expect(judged.reasonOf(backdated)).toMatch(/^not-authorised revoked: /);
    expect(stateBytes(judged)).toBe(stateBytes(await judge(p.pool, [...history, revocation])));
  });

  it("gives the same state in any order of arrival", async () => {
    const entries = [...history, revocation, await submitEntry(bobNext(), T0 + 3000, bobJoin.proof, "job C")];
    const expected = stateBytes(await judge(p.pool, entries));
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(entries, { minLength: entries.length }), async (order) => {
        expect(stateBytes(await judge(p.pool, order))).toBe(expected);
      }),
      { numRuns: 15 },
    );
  });

  it("refuses a revocation by someone who issued nothing in the chain", async () => {
    const forged = await new EntryWriter(mallory, p.pool).write("ucan.revoke", { target: tokenHash(bobJoin.proof), token: bobJoin.proof, honoured: {}, from: T0 }, T0 + 10_000);
    const judged = await judge(p.pool, [...history, forged]);
    expect(judged.reasonOf(forged)).toMatch(/^bad-proof escalation: /);
    expect(stateBytes(judged)).toBe(stateBytes(await judge(p.pool, history)));
  });

  it("refuses a revocation whose target is not its token's hash", async () => {
    const other = await inviteAndRedeem(p.pool, carol);
    const mismatched = await new EntryWriter(alice, p.pool, 1).write("ucan.revoke", { target: tokenHash(other.proof), token: bobJoin.proof, honoured: {}, from: T0 }, T0 + 10_000);
    expect((await judge(p.pool, [...history, mismatched])).reasonOf(mismatched)).toMatch(/^bad-proof malformed: /);
  });
});
