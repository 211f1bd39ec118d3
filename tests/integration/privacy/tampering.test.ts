import { afterEach, describe, expect, it } from "vitest";
import type { DocHandle } from "@automerge/automerge-repo";
import { bytesToHex, hexToBytes } from "../../../src/core/crypto/index.ts";
import { stateHash } from "../../../src/core/ledger/state.ts";
import type { PoolId } from "../../../src/core/ledger/types.ts";
import { envelopeHash, sealEnvelope } from "../../../src/core/privacy/envelope.ts";
import { newEpochKey } from "../../../src/core/privacy/epoch-key.ts";
import { sealLockboxes } from "../../../src/core/privacy/lockbox.ts";
import { grantKey, maintainKeys, rotateKey } from "../../../src/core/privacy/rotation.ts";
import { envelopeBucket, readEnvelopes, type SealedDoc } from "../../../src/core/privacy/sealed-document.ts";
import { mallory } from "../../fixtures/identities.ts";
import { until } from "../../fixtures/until.ts";
import { kexOf, privatePool, T0, type PrivatePool } from "./private-pool.ts";

let pool: PrivatePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

const ready = (p: PrivatePool) =>
  until(() => [p.alice, p.bob, p.carol].every((m) => m.node.ledger.state.privacy?.epochs[0] !== undefined), "every member reads key epoch 0");

describe("a relay that tampers with envelopes", () => {
  it("swaps, flips, truncates, drops, replays and transplants: all detected, nothing lost", async () => {
    pool = await privatePool();
    const { alice, bob, relay } = pool;
    await ready(pool);
    const before = stateHash(alice.node.ledger.state);
    const key0 = alice.node.keyring.latest()!;
    const handle: DocHandle<SealedDoc> = await relay.repo.find<SealedDoc>(key0.documentUrl);
    const honest = readEnvelopes(handle.doc()).map(({ key, value }) => ({ key, value: new Uint8Array(value as Uint8Array) }));
    expect(honest.length).toBeGreaterThanOrEqual(2);
    const [a, b] = honest as [{ key: string; value: Uint8Array }, { key: string; value: Uint8Array }];
    const flipped = a.value.slice();
    flipped[flipped.length - 5]! ^= 1;
    // Relabelled: a well-formed envelope from another pool with this pool's key id: the AD binds the pool.
    const foreign = await sealEnvelope({ ...newEpochKey("another-pool" as PoolId, 0), keyId: key0.keyId }, bob.node.ledger.entries().slice(0, 1));
    const stranger = await sealEnvelope(newEpochKey("another-pool" as PoolId, 0), bob.node.ledger.entries().slice(0, 1));
    handle.change((doc) => {
      doc.envelopes[envelopeBucket(a.key)]![a.key] = b.value; // swap
      doc.envelopes[envelopeBucket(b.key)]![b.key] = b.value.subarray(0, b.value.length - 7); // truncate
      const put = (bytes: Uint8Array) => ((doc.envelopes[envelopeBucket(envelopeHash(bytes))] ??= {})[envelopeHash(bytes)] = bytes);
      put(flipped); // a flipped bit under its own (new) hash: the AEAD fails
      put(foreign.bytes); // transplanted and relabelled
      put(stranger.bytes); // transplanted under a key nobody here holds
    });
    await until(() => {
      const f = bob.node.view().failures;
      return (f["tampered-key"] ?? 0) >= 2 && (f["bad-ciphertext"] ?? 0) >= 2 && (f["pending-key"] ?? 0) >= 1;
    }, "bob names each tampering");
    // The honest members put back what the relay altered.
    await until(() => honest.every(({ key, value }) => readEnvelopes(handle.doc()).some((e) => e.key === key && (e.value as Uint8Array).length === value.length)), "the originals are back");
    // Dropped and replayed: deleted envelopes return; a replayed one changes nothing.
    handle.change((doc) => {
      delete doc.envelopes[envelopeBucket(a.key)]![a.key];
    });
    await until(() => readEnvelopes(handle.doc()).some((e) => e.key === a.key), "the dropped envelope is back");
    await bob.node.settled();
    expect(stateHash(alice.node.ledger.state)).toBe(before);
    expect(stateHash(bob.node.ledger.state)).toBe(before);
    expect(await newerDocReplay(pool, a)).toBe(true);
    expect(stateHash(bob.node.ledger.state)).toBe(stateHash(alice.node.ledger.state));
  }, 90_000);
});

/** Replays an epoch-0 envelope into the epoch-1 document: it opens (members hold key 0) and adds nothing. */
async function newerDocReplay(p: PrivatePool, envelope: { key: string; value: Uint8Array }): Promise<boolean> {
  const rotated = await rotateKey({ node: p.alice.node, author: p.alice.who, time: T0 + 20_000 });
  if (!rotated.ok) return false;
  await until(() => p.bob.node.view().sealingEpoch === 1, "bob holds epoch 1");
  const count = p.bob.node.ledger.entries().length;
  await until(() => p.relay.repo.handles[rotated.key.documentId]?.isReady() === true, "the relay holds the epoch 1 document");
  const handle = await p.relay.repo.find<SealedDoc>(rotated.key.documentUrl);
  handle.change((doc) => {
    doc.envelopes[envelopeBucket(envelope.key)]![envelope.key] = envelope.value;
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  await p.bob.node.settled();
  return p.bob.node.ledger.entries().length === count;
}

describe("keys", () => {
  it("a lockbox wrapped for the wrong member is detected, complained about and re-granted", async () => {
    pool = await privatePool();
    const { alice, bob } = pool;
    await ready(pool);
    const state = alice.node.ledger.state;
    const key = newEpochKey(pool.pool, 1);
    const previous = alice.node.keyring.latest()!;
    // alice's node wraps bob's lockbox to mallory's key by mistake (or malice).
    const recipients = [alice, bob].map((m) => ({ did: m.who.did, kex: m === bob ? kexOf(mallory).publicKey : hexToBytes(state.members[m.who.did]!.kex!) }));
    const boxes = await sealLockboxes(pool.pool, 1, key.secret, recipients);
    const rotate = await alice.node.ledger
      .writerFor(alice.who)
      .write("key.rotate", { epoch: 1, keyId: hexToBytes(key.keyId), mailbox: hexToBytes(boxes.hash), recipients: boxes.tags }, T0 + 20_000);
    expect((await alice.node.sealNow([rotate], previous, new Map([[boxes.hash, boxes.item]]))).ok).toBe(true);
    await alice.node.addKey(key);
    await until(() => alice.node.ledger.state.privacy?.complaints[bob.who.did] !== undefined, "bob's complaint reaches alice");
    expect(bob.node.view().pendingRotation).toBe(true);
    // The complaint carries bob's clock (T0 + 60 s here); the grant comes after it.
    await maintainKeys(alice.node, { author: alice.who }, T0 + 70_000);
    await until(() => bob.node.view().sealingEpoch === 1, "bob opens his new grant");
    await until(() => alice.node.ledger.state.privacy?.complaints[bob.who.did] === undefined, "the complaint is answered");
    expect((await grantKey(alice.node, { author: alice.who }, bob.who.did, T0 + 80_000)).ok).toBe(false);
  }, 90_000);

  it("concurrent rotations converge on the lowest entry id", async () => {
    pool = await privatePool();
    const { alice, bob, carol } = pool;
    await ready(pool);
    const [x, y] = await Promise.all([
      rotateKey({ node: alice.node, author: alice.who, time: T0 + 20_000 }),
      rotateKey({ node: bob.node, author: bob.who, proof: bob.proof!, time: T0 + 20_000 }),
    ]);
    expect(x.ok && y.ok).toBe(true);
    if (!x.ok || !y.ok) return;
    await until(() => [alice, bob, carol].every((m) => m.node.ledger.state.privacy?.epochs[1] !== undefined && m.node.ledger.entries().filter((e) => e.entry.kind === "key.rotate").length === 3), "everyone sees both rotations");
    await until(() => [alice, bob, carol].every((m) => m.node.view().sealingEpoch === 1), "everyone holds the winning key");
    const rotations = alice.node.ledger.entries().filter((e) => e.entry.kind === "key.rotate" && e.entry.body.epoch === 1);
    const lowest = rotations.sort((p, q) => (p.id < q.id ? -1 : 1))[0]!;
    const winner = bytesToHex(lowest.entry.body.keyId as Uint8Array);
    expect([x.key.keyId, y.key.keyId]).toContain(winner);
    for (const m of [alice, bob, carol]) {
      expect(m.node.ledger.state.privacy!.epochs[1]!.keyId).toBe(winner);
      expect(m.node.sealingKey()?.keyId).toBe(winner);
    }
  }, 90_000);
});

