/**
 * Ledger epochs in a private pool (private-epochs.ts), over real repos and a relay that runs no
 * EdgePool code: the root compacts (a checkpoint naming the next ledger epoch, a rotation, and the
 * sealed start in the new key's document); a member offline meanwhile catches up and what it wrote
 * offline is kept; a restarted member opens the new ledger epoch alone; the whole history verifies.
 * A member's forged start moves nobody, and a relay that deletes the start cannot hide the move; a
 * real start copied into a later key's document does not stop a new device's walk there.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Repo, type DocHandle } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { hexToBytes } from "../../../src/core/crypto/index.ts";
import { ClosingStorage, shutdownRepo } from "../../../src/core/ledger/closing-storage.ts";
import { decodeEntry } from "../../../src/core/ledger/codec.ts";
import { stateHash } from "../../../src/core/ledger/state.ts";
import { checkpointBody } from "../../../src/core/ledger/checkpoint-writer.ts";
import { epochSnapshot } from "../../../src/core/ledger/epochs.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import type { EntryId } from "../../../src/core/ledger/types.ts";
import { openEnvelope } from "../../../src/core/privacy/envelope.ts";
import { PrivateLedger } from "../../../src/core/privacy/private-ledger.ts";
import { rotateKey } from "../../../src/core/privacy/rotation.ts";
import { compactPrivatePool, verifyPrivatePool } from "../../../src/core/privacy/private-epochs.ts";
import { envelopeBucket, readEnvelopes, type SealedDoc } from "../../../src/core/privacy/sealed-document.ts";
import { heldLink, link } from "../ledger/network.ts";
import { until } from "../../fixtures/until.ts";
import { kexOf, privatePool, T0, type Member, type PrivatePool } from "./private-pool.ts";

let pool: PrivatePool | undefined;
const restarted: PrivateLedger[] = [];
afterEach(async () => {
  for (const node of restarted.splice(0)) await node.close();
  await pool?.close();
  pool = undefined;
});

/** The members' clock: each step of a story sets it. */
let now = T0 + 30_000;
const clock = () => now;
const NOW = T0 + 60_000;

const submit = (who: Member, time: number, n: number) =>
  who.node.ledger.write(who.who, "job.submit", { task: "a".repeat(64), input: new Uint8Array([n]), replicas: 1, reward: 1, deadline: time + 600_000 }, who.proof ? [who.proof] : []);

/** The member's node again, from its own storage and the relay alone (a restart). */
async function restart(member: Member): Promise<PrivateLedger> {
  await member.node.close();
  const node = await PrivateLedger.open({
    repo: member.peer.repo,
    storage: member.peer.storage,
    pool: pool!.pool,
    authoriser: new UcanAuthoriser(),
    now: clock,
    me: { did: member.who.did, kex: kexOf(member.who) },
    author: { author: member.who, ...(member.proof ? { proof: member.proof } : {}) },
    flushMs: 50,
  });
  restarted.push(node);
  return node;
}

async function ready(p: PrivatePool): Promise<void> {
  await until(() => p.bob.node.ledger.state.privacy !== undefined && p.carol.node.ledger.state.privacy !== undefined, "bob and carol read the sealed genesis");
}

/** Compacts as alice at NOW with `through` 20 s before it (entries after it belong to the new epoch). */
async function compact(p: PrivatePool) {
  now = NOW;
  const done = await compactPrivatePool({ node: p.alice.node, author: p.alice.who, time: NOW, settleMs: 20_000 });
  if (!done.ok) throw new Error(`${done.reason}: ${done.message}`);
  return done;
}

describe("ledger epochs in a private pool", () => {
  it("an offline member catches up across a compaction, what it wrote offline is kept, and a restart opens the new epoch alone", { timeout: 90_000 }, async () => {
    now = T0 + 30_000;
    pool = await privatePool(clock);
    const { alice, bob, carol, relay } = pool;
    await ready(pool);
    const before = await submit(alice, T0 + 45_000, 1);
    expect(before.ok).toBe(true);
    await alice.node.flush();
    await until(() => Object.keys(bob.node.ledger.state.jobs).length === 1, "bob reads alice's job");
    bob.peer.repo.networkSubsystem.disconnect();

    const done = await compact(pool);
    expect(done).toMatchObject({ epoch: 1, keyEpoch: 1 });
    expect(alice.node.view()).toMatchObject({ ledgerEpoch: 1, sealingEpoch: 1 });
    await until(() => carol.node.view().ledgerEpoch === 1, "carol (online) moves to ledger epoch 1");

    // Bob, offline, still writes into ledger epoch 0's document under key epoch 0.
    now = NOW + 10_000;
    const offline = await submit(bob, T0 + 50_000, 2);
    expect(offline.ok).toBe(true);
    await bob.node.flush();
    expect(bob.node.view().ledgerEpoch).toBe(0);

    link(bob.peer.repo, relay.repo);
    await until(() => bob.node.view().ledgerEpoch === 1, "bob moves once the checkpoint and the new key reach him", 30_000);
    const job = offline.ok ? (offline.ids[0] as EntryId) : ("" as EntryId);
    await until(() => alice.node.ledger.state.jobs[job] !== undefined && carol.node.ledger.state.jobs[job] !== undefined, "bob's offline job reaches alice and carol", 30_000);
    await until(() => bob.node.view().queued === 0 && carol.node.view().queued === 0, "what sorts after the checkpoint is sealed into the new epoch's documents");
    await bob.node.settled();
    await carol.node.settled();

    // A restart reads ledger epoch 1 only: key epoch 0's document is never opened.
    const key0 = alice.node.keyring.all().find((k) => k.epoch === 0)!;
    const again = await restart(carol);
    expect(again.view()).toMatchObject({ ledgerEpoch: 1, sealingEpoch: 1 });
    expect(again.documents().some((h) => h.documentId === key0.documentId)).toBe(false);
    await until(() => again.ledger.state.jobs[job] !== undefined, "the restarted node holds bob's offline job");
    expect(stateHash(again.ledger.state)).toBe(stateHash(alice.node.ledger.state));
    expect(again.view().envelopes).toBeLessThan(alice.node.view().envelopes);

    const report = await verifyPrivatePool({ repo: alice.peer.repo, storage: alice.peer.storage, pool: pool.pool, authoriser: new UcanAuthoriser(), now: clock });
    expect(report.problems).toEqual([]);
    expect(report.epochs).toBe(1);
    expect(stateHash(report.fold.state)).toBe(stateHash(alice.node.ledger.state));
  });

  it("a member's forged start moves nobody; a relay that deletes the real one cannot hide the move", { timeout: 90_000 }, async () => {
    now = NOW;
    pool = await privatePool(clock);
    const { alice, bob, carol, relay } = pool;
    await ready(pool);
    // Carol (job/run only) holds the key: she seals a start of her own checkpoint naming epoch 1,
    // bound to the document's key by a rotation of hers signed next.
    const drafted = checkpointBody(carol.node.ledger, NOW, 20_000, 1);
    if (!drafted.ok) throw new Error(drafted.message);
    const key0 = carol.node.sealingKey()!;
    const writer = carol.node.ledger.writerFor(carol.who);
    const proof = carol.proof ? [carol.proof] : [];
    const forged = await writer.write("checkpoint", drafted.body, NOW, proof);
    const rotation = await writer.write("key.rotate", { epoch: 1, keyId: hexToBytes(key0.keyId), mailbox: new Uint8Array(32), recipients: new Uint8Array(0) }, NOW, proof);
    await carol.node.sealStart(key0, forged, rotation, epochSnapshot(carol.node.ledger, drafted.through));
    await until(() => alice.node.ledger.view().invalid.some((i) => i.key === forged.id), "alice refuses carol's checkpoint");
    expect(alice.node.ledger.view().invalid.find((i) => i.key === forged.id)?.reason).toBe("not-authorised");
    await until(() => bob.node.ledger.view().invalid.some((i) => i.key === forged.id), "bob refuses it too");
    expect([alice.node.view().ledgerEpoch, bob.node.view().ledgerEpoch]).toEqual([0, 0]);
    const cold = await restart(bob);
    expect(cold.view().ledgerEpoch).toBe(0);

    // The real compaction; the relay deletes its start from the new key's document.
    const done = await compact(pool);
    const key1 = alice.node.keyring.all().find((k) => k.epoch === done.keyEpoch)!;
    const copy = await relay.repo.find<SealedDoc>(key1.documentUrl);
    await until(() => readEnvelopes(copy.doc()).length > 0, "the relay holds the start");
    const hashes = readEnvelopes(copy.doc()).map((e) => e.key);
    (copy as DocHandle<SealedDoc>).change((doc) => {
      for (const hash of hashes) delete doc.envelopes[envelopeBucket(hash)]![hash];
    });
    await until(() => hashes.every((hash) => readEnvelopes(copy.doc()).some((e) => e.key === hash)), "alice puts the deleted start back");
    await until(() => cold.view().ledgerEpoch === 1 && carol.node.view().ledgerEpoch === 1, "bob and carol move", 30_000);
    expect(stateHash(cold.ledger.state)).toBe(stateHash(alice.node.ledger.state));
  });
  it("a real start copied into a later key epoch's document does not stop a new device's walk there: what the pool wrote between is read", { timeout: 90_000 }, async () => {
    now = T0 + 30_000;
    pool = await privatePool(clock);
    const { alice, bob, carol, relay } = pool;
    await ready(pool);
    await compact(pool);
    await until(() => bob.node.view().ledgerEpoch === 1 && carol.node.view().ledgerEpoch === 1, "bob and carol move to ledger epoch 1");
    // Bob writes under key epoch 1; then alice rotates by hand to key epoch 2.
    now = NOW + 10_000;
    const between = await submit(bob, now, 3);
    if (!between.ok) throw new Error(between.message);
    const job = between.ids[0] as EntryId;
    await bob.node.flush();
    await until(() => alice.node.ledger.state.jobs[job] !== undefined, "alice reads bob's job");
    const rotated = await rotateKey({ node: alice.node, author: alice.who, time: now });
    if (!rotated.ok) throw new Error(rotated.message);
    await until(() => carol.node.keyring.all().some((k) => k.epoch === 2), "carol holds key epoch 2");

    // Carol copies the real start (checkpoint, rotation, snapshot) from key epoch 1's document into key epoch 2's.
    const [key1, key2] = [1, 2].map((epoch) => carol.node.keyring.all().find((k) => k.epoch === epoch)!);
    let copied = false;
    for (const { key, value } of readEnvelopes(carol.node.document(key1!)!.doc())) {
      const opened = await openEnvelope(pool.pool, key, value, (id) => carol.node.keyring.byId(id));
      if (!opened.ok || !opened.snapshot) continue;
      const [checkpoint, rotation] = opened.entries.map((bytes) => decodeEntry(bytes)).map((d) => (d.ok ? d.signed : undefined));
      await carol.node.sealStart(key2!, checkpoint!, rotation!, opened.snapshot);
      copied = true;
    }
    expect(copied).toBe(true);
    const sealed = readEnvelopes(carol.node.document(key2!)!.doc()).map((e) => e.key);
    const atRelay = await relay.repo.find<SealedDoc>(key2!.documentUrl);
    await until(() => sealed.every((hash) => readEnvelopes(atRelay.doc()).some((e) => e.key === hash)), "the copy reaches the relay");

    // A new device of bob's, holding only key epoch 2 (as a link made now would give it), with nothing stored.
    const dir = mkdtempSync(join(tmpdir(), "edgepool-device-"));
    const storage = new ClosingStorage(new NodeFSStorageAdapter(dir));
    const repo = new Repo({ storage, network: [] });
    link(repo, relay.repo);
    const device = await PrivateLedger.open({ repo, storage, pool: pool.pool, authoriser: new UcanAuthoriser(), now: clock, me: { did: bob.who.did, kex: kexOf(bob.who) }, keys: [key2!], flushMs: 50 });
    try {
      expect(device.view().ledgerEpoch).toBe(1);
      expect(device.documents().some((h) => h.documentId === key1!.documentId)).toBe(true);
      await until(() => device.ledger.state.jobs[job] !== undefined, "the new device reads bob's job sealed under key epoch 1");
      await until(() => stateHash(device.ledger.state) === stateHash(alice.node.ledger.state), "the new device holds the pool's state");
    } finally {
      await device.close();
      await shutdownRepo(repo, storage);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("a new device whose relay answers late opens without waiting for it, then walks back through every key epoch once the answer comes", { timeout: 60_000 }, async () => {
    now = T0 + 30_000;
    pool = await privatePool(clock);
    const { alice, bob, relay } = pool;
    await ready(pool);
    const early = await submit(bob, now, 4);
    if (!early.ok) throw new Error(early.message);
    await bob.node.flush();
    await until(() => alice.node.ledger.state.jobs[early.ids[0] as EntryId] !== undefined, "alice reads bob's job under key epoch 0");
    const rotated = await rotateKey({ node: alice.node, author: alice.who, time: now });
    if (!rotated.ok) throw new Error(rotated.message);
    const atRelay = () => relay.repo.handles[rotated.key.documentId] as DocHandle<SealedDoc> | undefined;
    await until(() => atRelay()?.isReady() === true && atRelay()!.doc().previous !== undefined, "the relay holds key epoch 1's document");

    // A new device of bob's holding only key epoch 1; nothing it asks the relay is answered yet.
    const dir = mkdtempSync(join(tmpdir(), "edgepool-device-"));
    const storage = new ClosingStorage(new NodeFSStorageAdapter(dir));
    const repo = new Repo({ storage, network: [] });
    const relayLink = heldLink(repo, relay.repo);
    // automerge-repo alone waits 60 s for an unanswered document: past this test's timeout.
    const device = await PrivateLedger.open({ repo, storage, pool: pool.pool, authoriser: new UcanAuthoriser(), now: clock, me: { did: bob.who.did, kex: kexOf(bob.who) }, keys: [rotated.key], flushMs: 50 });
    try {
      expect(device.ledger.state.jobs[early.ids[0] as EntryId]).toBeUndefined();
      relayLink.open();
      await until(() => device.ledger.state.jobs[early.ids[0] as EntryId] !== undefined, "the device walks back to key epoch 0 and reads bob's job");
      await until(() => stateHash(device.ledger.state) === stateHash(alice.node.ledger.state), "the device holds the pool's state");
    } finally {
      await device.close();
      await shutdownRepo(repo, storage);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
