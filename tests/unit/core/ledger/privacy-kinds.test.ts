import { describe, expect, it } from "vitest";
import { tokenHash } from "../../../../src/core/capability/chain.ts";
import { kexKeyPairFromSeed } from "../../../../src/core/crypto/index.ts";
import { foldEntries } from "../../../../src/core/ledger/fold.ts";
import { createPoolWithMembers } from "../../../../src/core/ledger/pool-members.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { validateEntry } from "../../../../src/core/ledger/validate.ts";
import { EntryWriter } from "../../../../src/core/ledger/writer.ts";
import { alice, bob, carol } from "../../../fixtures/identities.ts";
import { seededRandom } from "../../../fixtures/seeded-random.ts";

const T0 = 1_767_225_600_000;
const SETTINGS = { name: "p", replication: 1, rewardPerJob: 1, vestingSeconds: 0, leaseSeconds: 60 };
const kex = (fill: number) => kexKeyPairFromSeed(new Uint8Array(32).fill(fill), "test/kex").publicKey;
const rotateBody = (epoch: number, fill: number) => ({ epoch, keyId: new Uint8Array(8).fill(fill), mailbox: new Uint8Array(32).fill(fill), recipients: new Uint8Array(8).fill(fill) });

async function pool(members = [{ identity: bob, abilities: ["pool/admin" as const], time: T0 + 1, kex: kex(2) }]) {
  const created = await createPoolWithMembers({ root: alice, settings: SETTINGS, nonce: new Uint8Array(16).fill(1), time: T0, members, random: seededRandom("privacy kinds") });
  const root = created.writers.get(alice.did)!;
  const first = await root.write("key.rotate", rotateBody(0, 1), T0 + 10);
  return { ...created, root, entries: [...created.entries, first] };
}

const context = (pool: string) => ({ pool: pool as never, authoriser: new UcanAuthoriser(), now: () => T0 + 1_000_000, skewMs: 120_000 });

describe("private-pool kinds", () => {
  it("refuses a member.join whose kex is a low-order X25519 key", async () => {
    const lowOrder = new Uint8Array(32);
    lowOrder[0] = 1;
    const created = await createPoolWithMembers({ root: alice, settings: SETTINGS, nonce: new Uint8Array(16).fill(1), time: T0, members: [{ identity: carol, abilities: ["job/run"], time: T0 + 1, kex: lowOrder }], random: seededRandom("low order") });
    const result = await validateEntry(created.entries[1]!.bytes, context(created.pool));
    expect(result).toMatchObject({ ok: false, reason: "bad-body", message: expect.stringMatching(/low-order/) });
  });

  it("records members' kex, epochs and a rotation's recipients", async () => {
    const p = await pool();
    const { state, rejected } = foldEntries(p.entries, new UcanAuthoriser());
    expect(rejected.size).toBe(0);
    expect(state.members[bob.did]!.kex).toBe(Buffer.from(kex(2)).toString("hex"));
    expect(state.privacy).toMatchObject({ epoch: 0, epochs: { 0: { keyId: "0101010101010101", by: alice.did } } });
  });

  it("resolves concurrent rotations to the lowest entry id, in any order", async () => {
    const p = await pool();
    const bobWriter = p.writers.get(bob.did)!;
    const a = await p.root.write("key.rotate", rotateBody(1, 2), T0 + 20);
    const b = await bobWriter.write("key.rotate", rotateBody(1, 3), T0 + 20);
    const lowest = [a, b].sort((x, y) => (x.id < y.id ? -1 : 1))[0]!;
    for (const order of [[a, b], [b, a]]) {
      const { state } = foldEntries([...order, ...p.entries].reverse(), new UcanAuthoriser());
      expect(state.privacy!.epochs[1]!.rotation).toBe(lowest.id);
    }
  });

  it("never re-introduces a key id already used", async () => {
    const p = await pool();
    const again = await p.root.write("key.rotate", rotateBody(1, 1), T0 + 20);
    const { rejected } = foldEntries([...p.entries, again], new UcanAuthoriser());
    expect(rejected.get(again.id)).toMatchObject({ reason: "conflict" });
  });

  it("refuses a revoked admin's backdated rotation", async () => {
    const p = await pool();
    const token = p.proofs.get(bob.did)!;
    const revoke = await p.root.write("ucan.revoke", { target: tokenHash(token), token, honoured: { [bob.did]: 1 }, from: T0 + 1 }, T0 + 100);
    // bob's next entry (seq 2) claims a time before his revocation: revocation is by sequence, so it fails.
    const backdated = await new EntryWriter(bob, p.pool, 1, [token]).write("key.rotate", rotateBody(1, 4), T0 + 50);
    const { state, rejected } = foldEntries([...p.entries, revoke, backdated], new UcanAuthoriser());
    expect(rejected.get(backdated.id)).toMatchObject({ reason: "not-authorised" });
    expect(state.privacy!.epoch).toBe(0);
  });

  it("refuses a complaint about a rotation that is not the epoch's", async () => {
    const p = await pool();
    const complaint = await p.writers.get(bob.did)!.write("key.complaint", { epoch: 0, rotation: p.entries[0]!.id }, T0 + 20);
    const { rejected } = foldEntries([...p.entries, complaint], new UcanAuthoriser());
    expect(rejected.get(complaint.id)).toMatchObject({ reason: "unknown-reference" });
  });
});
