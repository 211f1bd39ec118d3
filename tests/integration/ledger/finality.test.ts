/**
 * Finality across real repos (ledger/README.md 8.6): a checkpoint written after an invite's
 * deadline closes the invite on every node, and a revocation dated back before the checkpoint is
 * refused everywhere, while one dated after it still cuts the revoked member.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { tokenHash } from "../../../src/core/capability/chain.ts";
import { parseInviteLink, redeemInvite } from "../../../src/core/capability/invite.ts";
import { writeCheckpoint } from "../../../src/core/ledger/checkpoint-writer.ts";
import { Ledger } from "../../../src/core/ledger/ledger.ts";
import { createPoolInvite, revocationTarget, revokeDelegation } from "../../../src/core/ledger/membership.ts";
import { stateHash } from "../../../src/core/ledger/state.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { EntryWriter } from "../../../src/core/ledger/writer.ts";
import { T0, writeStory, type Story } from "../../../ledger/vectors/story.ts";
import { alice, dave, mallory } from "../../fixtures/identities.ts";
import { meshOf, type Network } from "./network.ts";
import { until } from "../../fixtures/until.ts";

const MINUTE = 60_000;
let story: Story;
let network: Network | undefined;

beforeAll(async () => {
  story = await writeStory();
});
afterEach(async () => {
  await network?.close();
  network = undefined;
});

/** Alice's and bob's nodes holding the story, on one clock the test moves. */
async function twoNodes(clock: { now: number }): Promise<[Ledger, Ledger]> {
  network = meshOf(["alice", "bob"]);
  const ledgers = await Promise.all(
    network.peers.map((p) => Ledger.open({ repo: p.repo, storage: p.storage, pool: story.pool, authoriser: new UcanAuthoriser(), now: () => clock.now })),
  );
  await ledgers[0]!.append(story.entries);
  await until(() => ledgers[1]!.state.count === story.entries.length, "bob's node to receive the story");
  return ledgers as [Ledger, Ledger];
}

const refusal = (ledger: Ledger, id: string) => ledger.view().invalid.find((i) => i.key === id)?.reason;

describe("finality on every node", () => {
  it("a checkpoint after an invite's deadline closes it: a join dated before the deadline is refused by both nodes", async () => {
    const clock = { now: T0 + 10 * MINUTE };
    const [aliceNode, bobNode] = await twoNodes(clock);
    const joinBefore = Math.floor(clock.now / 1000) + 60;
    const terms = { abilities: ["job/run" as const], uses: 5, joinBefore, memberExpiration: joinBefore + 86_400, appUrl: "https://app.example/", relay: undefined };
    const invited = await createPoolInvite(aliceNode, alice, terms, Math.floor(clock.now / 1000));
    if (!invited.ok) throw new Error(invited.message);
    clock.now += 10 * MINUTE;
    const checkpoint = await writeCheckpoint(aliceNode, alice, clock.now);
    if (!checkpoint.ok) throw new Error(checkpoint.message);
    expect(checkpoint.through).toBeGreaterThan(joinBefore * 1000);
    await until(() => bobNode.state.checkpoint?.id === checkpoint.id, "bob's node to accept the checkpoint");
    // Mallory got the link late and claims to have joined just before its deadline.
    const link = parseInviteLink(invited.link);
    if (!link.ok) throw new Error(link.message);
    const redeemed = await redeemInvite(link.invite, mallory.did, joinBefore - 1);
    if (!redeemed.ok) throw new Error(redeemed.message);
    const join = await new EntryWriter(mallory, story.pool, 0, [redeemed.redemption.proof]).write("member.join", { member: mallory.did, abilities: ["job/run"], invite: redeemed.redemption.invite }, (joinBefore - 1) * 1000);
    expect((await bobNode.append([join])).ok).toBe(true);
    await until(() => refusal(aliceNode, join.id) !== undefined, "alice's node to judge mallory's join");
    for (const node of [aliceNode, bobNode]) {
      expect(refusal(node, join.id)).toBe("before-checkpoint");
      expect(node.state.members[mallory.did]).toBeUndefined();
    }
    expect(stateHash(aliceNode.state)).toBe(stateHash(bobNode.state));
  });

  it("revocation keeps working after a checkpoint: `from` after it cuts the member on both nodes, a backdated `from` is refused", async () => {
    const clock = { now: T0 + 10 * MINUTE };
    const [aliceNode, bobNode] = await twoNodes(clock);
    const checkpoint = await writeCheckpoint(aliceNode, alice, clock.now);
    if (!checkpoint.ok) throw new Error(checkpoint.message);
    const target = revocationTarget(aliceNode, dave.did);
    if (!target.ok) throw new Error(target.message);
    if (!("token" in target)) throw new Error("dave joined through an invite: his target is a delegation");
    const daves = story.writers.dave;
    const backdated = await new EntryWriter(alice, story.pool, aliceNode.state.authors[alice.did]!.seq, []).write(
      "ucan.revoke",
      { target: tokenHash(target.token), token: target.token, honoured: {}, from: checkpoint.through - MINUTE },
      clock.now,
    );
    expect((await aliceNode.append([backdated])).ok).toBe(true);
    expect(refusal(aliceNode, backdated.id)).toBe("before-checkpoint");
    clock.now += MINUTE;
    const revoked = await revokeDelegation(aliceNode, alice, target.token, clock.now);
    if (!revoked.ok) throw new Error(revoked.message);
    expect(revoked.honoured).toEqual({ [dave.did]: daves.seq });
    // Dave writes on, dating his entry before the revocation: his sequence number is past the cut.
    const late = await new EntryWriter(dave, story.pool, daves.seq, daves.proof).write("stake.deposit", { amount: 1 }, clock.now - 30_000);
    expect((await bobNode.append([late])).ok).toBe(true);
    await until(() => refusal(aliceNode, late.id) !== undefined && refusal(bobNode, backdated.id) !== undefined, "both nodes to judge dave's entry and the backdated revocation");
    for (const node of [aliceNode, bobNode]) {
      expect(refusal(node, backdated.id)).toBe("before-checkpoint");
      expect(node.view().invalid.find((i) => i.key === late.id)).toMatchObject({ reason: "not-authorised", message: expect.stringContaining("revoked") });
    }
    expect(stateHash(aliceNode.state)).toBe(stateHash(bobNode.state));
  });
});
