/**
 * A member restored on a device that holds another key-agreement key than the one it published
 * (an identity backup from before backups carried the key): it publishes its key with
 * `member.rekey`, complains about the lockbox it cannot open, and an admin's node re-grants the
 * key to the new one; later rotations wrap for it directly.
 */
import { afterEach, describe, expect, it } from "vitest";
import { bytesToHex, randomBytes, kexKeyPairFromSecret } from "../../../src/core/crypto/index.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { publishKex, rekeyDue } from "../../../src/core/privacy/member-rekey.ts";
import { PrivateLedger } from "../../../src/core/privacy/private-ledger.ts";
import { maintainKeys, rotateKey } from "../../../src/core/privacy/rotation.ts";
import { until } from "../../fixtures/until.ts";
import { now, privatePool, T0, type PrivatePool } from "./private-pool.ts";

let pool: PrivatePool | undefined;
let restored: PrivateLedger | undefined;
afterEach(async () => {
  await restored?.close();
  await pool?.close();
  pool = restored = undefined;
});

describe("a member restored without its key-agreement key", () => {
  it("publishes a new one with member.rekey and gets the current key re-granted to it", async () => {
    pool = await privatePool();
    const { alice, carol } = pool;
    await until(() => carol.node.ledger.state.privacy?.epochs[0] !== undefined, "carol reads key epoch 0");
    const key0 = alice.node.keyring.latest()!;
    // carol's device is lost; alice rotates, wrapping epoch 1 for the key carol published.
    await carol.node.close();
    expect((await rotateKey({ node: alice.node, author: alice.who, time: T0 + 20_000 })).ok).toBe(true);

    // The restored device: carol's identity, a new key-agreement key, and key 0 (as her link gives it).
    const kex = kexKeyPairFromSecret(randomBytes(32));
    restored = await PrivateLedger.open({
      repo: carol.peer.repo,
      storage: carol.peer.storage,
      authoriser: new UcanAuthoriser(),
      now,
      flushMs: 50,
      pool: pool.pool,
      me: { did: carol.who.did, kex },
      keys: [key0],
      author: { author: carol.who, proof: carol.proof },
    });
    const node = restored;
    await until(() => node.ledger.state.privacy?.epochs[1] !== undefined, "the restored device reads the rotation to epoch 1");
    expect(node.view().pendingRotation).toBe(true);
    expect(rekeyDue(node)).toBe(true);
    expect((await publishKex(node, { author: carol.who, proof: carol.proof })).ok).toBe(true);
    expect(rekeyDue(node)).toBe(false);

    const published = bytesToHex(kex.publicKey);
    await until(
      () => alice.node.ledger.state.members[carol.who.did]?.kex === published && alice.node.ledger.state.privacy?.complaints[carol.who.did] !== undefined,
      "carol's new key and her complaint reach alice",
    );
    await maintainKeys(alice.node, { author: alice.who }, T0 + 70_000);
    await until(() => node.view().sealingEpoch === 1, "the restored device opens the re-granted key");

    // The next rotation wraps for the new key directly: no complaint needed.
    expect((await rotateKey({ node: alice.node, author: alice.who, time: T0 + 80_000 })).ok).toBe(true);
    await until(() => node.view().sealingEpoch === 2, "the restored device opens epoch 2's lockbox");
  }, 60_000);
});
