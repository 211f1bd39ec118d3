import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Repo, type PeerId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { createNode, type EdgeNode } from "../../../src/core/node.ts";
import { Ledger } from "../../../src/core/ledger/ledger.ts";
import type { SignedEntry } from "../../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { EntryWriter } from "../../../src/core/ledger/writer.ts";
import { T0, writeStory, type Story } from "../../../ledger/vectors/story.ts";
import { alice, bob } from "../../fixtures/identities.ts";
import { manualClock } from "../../unit/core/scheduler/policy-fixtures.ts";
import { meshOf, type Network } from "../ledger/network.ts";
import { until } from "../../fixtures/until.ts";

const TEN_MINUTES = 600_000;
let story: Story;
let network: Network | undefined;
let node: EdgeNode | undefined;

beforeAll(async () => {
  story = await writeStory();
});
afterEach(async () => {
  await node?.close();
  node = undefined;
  await network?.close();
  network = undefined;
});

/** Bob's job, dated ten minutes ahead of alice's clock (beyond the two-minute skew). */
async function aheadOfAlice(aliceNow: number): Promise<SignedEntry> {
  const bobs = story.writers.bob;
  const body = { task: "t", input: new Uint8Array(), replicas: 1, reward: 1, deadline: aliceNow + 2 * TEN_MINUTES };
  return new EntryWriter(bob, story.pool, bobs.seq, bobs.proof).write("job.submit", body, aliceNow + TEN_MINUTES);
}

/** Alice's node holds bob's entry from her future; bob's ledger (his clock ahead) wrote it. */
async function aliceHoldsBobsEntry(repos: { alice: Repo; bob: Repo; storage: Network["peers"][number]["storage"] }, clock: { now(): number }) {
  const aliceLedger = await Ledger.open({ repo: repos.alice, storage: repos.storage, pool: story.pool, authoriser: new UcanAuthoriser(), now: () => clock.now() });
  await aliceLedger.append(story.entries);
  const ahead = await aheadOfAlice(clock.now());
  const bobLedger = await Ledger.open({ repo: repos.bob, storage: network!.peers[1]!.storage, pool: story.pool, authoriser: new UcanAuthoriser(), now: () => clock.now() + TEN_MINUTES });
  expect((await bobLedger.append([...story.entries, ahead])).ok).toBe(true);
  await until(() => aliceLedger.view().deferred === 1, "alice to hold bob's entry from her future");
  expect(aliceLedger.state.jobs[ahead.id]).toBeUndefined();
  return { aliceLedger, ahead };
}

describe("a node checks held entries again", () => {
  it("as its clock passes their time, without anyone calling recheck", async () => {
    network = meshOf(["alice", "bob"]);
    const clock = manualClock(T0 + 100_000);
    const { aliceLedger, ahead } = await aliceHoldsBobsEntry({ alice: network.peers[0]!.repo, bob: network.peers[1]!.repo, storage: network.peers[0]!.storage }, clock);
    node = await createNode({ identity: alice, ledger: aliceLedger, clock, recheckMs: 30_000 });
    clock.advance(TEN_MINUTES - 150_000);
    await aliceLedger.settled();
    expect(aliceLedger.state.jobs[ahead.id]).toBeUndefined();
    clock.advance(60_000);
    await until(() => aliceLedger.state.jobs[ahead.id] !== undefined, "the periodic recheck to fold bob's entry");
    expect(aliceLedger.view().deferred).toBe(0);
  });

  it("when a peer connects", async () => {
    network = meshOf(["alice", "bob"]);
    // The node's timer never fires here: only the connection can trigger the recheck.
    const timer = manualClock(T0 + 100_000);
    let aliceNow = T0 + 100_000;
    const { aliceLedger, ahead } = await aliceHoldsBobsEntry({ alice: network.peers[0]!.repo, bob: network.peers[1]!.repo, storage: network.peers[0]!.storage }, { now: () => aliceNow });
    node = await createNode({ identity: alice, ledger: aliceLedger, clock: timer });
    // Alice's clock was behind (a laptop that slept); it is corrected, then a peer comes back.
    aliceNow += TEN_MINUTES;
    const { port1, port2 } = new MessageChannel();
    const carol = new Repo({ peerId: "carol" as PeerId, network: [new MessageChannelNetworkAdapter(port2 as never)] });
    network.peers[0]!.repo.networkSubsystem.addNetworkAdapter(new MessageChannelNetworkAdapter(port1 as never));
    await until(() => aliceLedger.state.jobs[ahead.id] !== undefined, "the reconnect to recheck bob's entry");
    await carol.shutdown();
    port1.close();
  });
});
