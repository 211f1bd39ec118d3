import { describe, expect, it } from "vitest";
import { foldEntries } from "../../../../src/core/ledger/fold.ts";
import { createPoolWithMembers } from "../../../../src/core/ledger/pool-members.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { validateEntry } from "../../../../src/core/ledger/validate.ts";
import { EntryWriter } from "../../../../src/core/ledger/writer.ts";
import { alice, bob, carol } from "../../../fixtures/identities.ts";

const T0 = 1_767_225_600_000;
const SETTINGS = { name: "members", replication: 1, rewardPerJob: 1, vestingSeconds: 60, leaseSeconds: 300 };
const submit = (writer: EntryWriter, time: number, proof?: string[]) =>
  writer.write("job.submit", { task: "t", input: new Uint8Array(), replicas: 1, reward: 1, deadline: time + 3_600_000 }, time, proof);

describe("createPoolWithMembers", () => {
  it("gives each member a join and a writer whose entries pass the UCAN check; without the delegation they are refused", async () => {
    const created = await createPoolWithMembers({
      root: alice,
      settings: SETTINGS,
      nonce: new Uint8Array(16).fill(1),
      time: T0,
      members: [
        { identity: bob, abilities: ["job/submit", "member/invite"] },
        { identity: carol, abilities: ["job/submit"], invitedBy: bob.did },
      ],
    });
    const authoriser = new UcanAuthoriser();
    const carols = created.writers.get(carol.did)!;
    const withProof = await submit(carols, T0 + 10);
    const without = await submit(new EntryWriter(carol, created.pool, carols.seq), T0 + 20, []);
    const entries = [...created.entries, withProof, without];
    for (const token of created.proofs.values()) authoriser.tokens.add(token);
    for (const signed of entries) expect((await validateEntry(signed.bytes, { pool: created.pool, authoriser, now: () => T0 + 60_000, skewMs: 0 })).ok).toBe(true);
    const { state, rejected } = foldEntries(entries, authoriser);
    expect(Object.keys(state.members).sort()).toEqual([alice.did, bob.did, carol.did].sort());
    expect(state.members[carol.did]!.by).toBe(carol.did);
    expect(state.jobs[withProof.id]?.submitter).toBe(carol.did);
    expect([...rejected]).toEqual([[without.id, expect.objectContaining({ reason: "not-authorised" })]]);
  });

  it("refuses a member listed twice or invited by someone not yet listed", async () => {
    const request = { root: alice, settings: SETTINGS, nonce: new Uint8Array(16), time: T0 };
    await expect(createPoolWithMembers({ ...request, members: [{ identity: bob, abilities: ["job/run"] }, { identity: bob, abilities: ["job/run"] }] })).rejects.toThrow(/listed twice/);
    await expect(createPoolWithMembers({ ...request, members: [{ identity: carol, abilities: ["job/run"], invitedBy: bob.did }] })).rejects.toThrow(/listed before/);
  });
});
