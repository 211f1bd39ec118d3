/**
 * UCAN authorisation inside the real ledger: joining through invite links, use counts, revocation
 * without backdating, and each attack on a chain refused with its reason and no change of state.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { bob, carol, dave } from "../../fixtures/identities.ts";
import { EntryWriter } from "../../../src/core/ledger/writer.ts";
import type { SignedEntry } from "../../../src/core/ledger/types.ts";
import { HOUR_MS, T0, inviteAndRedeem, joinEntry, judge, newInvite, newPool, redeem, stateBytes, submitEntry, type Pool } from "./pool-story.ts";
import type { Redemption } from "../../../src/core/capability/invite.ts";

let p: Pool;
let bobJoin: Redemption;
let base: SignedEntry[];
let bobWriter: EntryWriter;

beforeAll(async () => {
  p = await newPool();
  bobJoin = await inviteAndRedeem(p.pool, bob);
  bobWriter = new EntryWriter(bob, p.pool);
  base = [p.genesis, await joinEntry(bobWriter, bob, bobJoin, T0 + 1000), await submitEntry(bobWriter, T0 + 2000, bobJoin.proof, "job A")];
});

describe("joining through an invite link", () => {
  it("makes the joiner a member who can submit jobs", async () => {
    const judged = await judge(p.pool, base);
    expect(judged.refused.size + judged.rejected.size).toBe(0);
    expect(judged.state.members[bob.did]).toMatchObject({ abilities: ["job/run", "job/submit"], invite: bobJoin.invite });
    expect(Object.keys(judged.state.jobs)).toHaveLength(1);
  });

  it("refuses an invite reused past its count, and changes no state", async () => {
    const link = await newInvite(p.pool, { uses: 1 });
    const carolJoin = await joinEntry(new EntryWriter(carol, p.pool), carol, await redeem(link, carol), T0 + 3000);
    const daveJoin = await joinEntry(new EntryWriter(dave, p.pool), dave, await redeem(link, dave), T0 + 4000);
    const judged = await judge(p.pool, [...base, carolJoin, daveJoin]);
    expect(judged.reasonOf(daveJoin)).toMatch(/^not-authorised invite-used-up: this invite link has already been used 1 time, its limit; ask did:key:\S+ \(who invited you\) for a new link/);
    expect(stateBytes(judged)).toBe(stateBytes(await judge(p.pool, [...base, carolJoin])));
  });

  it("refuses a join recorded after the link's deadline", async () => {
    const late = await inviteAndRedeem(p.pool, carol, { joinBefore: (T0 + HOUR_MS) / 1000 });
    const join = await joinEntry(new EntryWriter(carol, p.pool), carol, late, T0 + 2 * HOUR_MS);
    expect((await judge(p.pool, [...base, join])).reasonOf(join)).toMatch(/^not-authorised invite-expired: this invite link expired at .* for a new link/);
  });

  it("refuses a join that claims more abilities than the link grants", async () => {
    const join = await new EntryWriter(carol, p.pool).write("member.join", { member: carol.did, abilities: ["pool/admin"], invite: bobJoin.invite }, T0 + 3000, [(await inviteAndRedeem(p.pool, carol)).proof]);
    expect((await judge(p.pool, [...base, join])).reasonOf(join)).toMatch(/^not-authorised/);
  });
});

