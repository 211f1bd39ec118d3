/**
 * Invites to a private pool on real repos: dave, who has only the link and the relay, opens the
 * lockbox the link points to, reads the pool and joins with his key-agreement key; a link whose
 * pointer was changed (another mailbox item, another document) is refused.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Repo, type PeerId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { join } from "node:path";
import { parseInviteLink, redeemInvite, type InviteLink } from "../../../src/core/capability/invite.ts";
import { kexKeyPairFromSeed } from "../../../src/core/crypto/index.ts";
import { joinWithInvite } from "../../../src/core/ledger/membership.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { createPrivateInvite, openInviteKey } from "../../../src/core/privacy/private-invite.ts";
import { PrivateLedger } from "../../../src/core/privacy/private-ledger.ts";
import { readMailbox, SEALED_PROTOCOL, type SealedDoc } from "../../../src/core/privacy/sealed-document.ts";
import { dave } from "../../fixtures/identities.ts";
import { until } from "../ledger/network.ts";
import { now, privatePool, T0, type PrivatePool } from "./private-pool.ts";

let pool: PrivatePool | undefined;
let daveRepo: Repo | undefined;
afterEach(async () => {
  await daveRepo?.shutdown();
  await pool?.close();
  pool = daveRepo = undefined;
});

/** A repo connected only to the relay, as a joiner with nothing but the link. */
function joinerRepo(relay: Repo): Repo {
  const { port1, port2 } = new MessageChannel();
  relay.networkSubsystem.addNetworkAdapter(new MessageChannelNetworkAdapter(port2 as never));
  return new Repo({ peerId: "dave" as PeerId, network: [new MessageChannelNetworkAdapter(port1 as never)] });
}

async function invite(p: PrivatePool): Promise<InviteLink> {
  const seconds = Math.floor(T0 / 1000);
  const terms = { abilities: ["job/run" as const], uses: 1, joinBefore: seconds + 3_600, memberExpiration: seconds + 86_400, appUrl: "http://localhost:8080/", relay: undefined };
  const created = await createPrivateInvite(p.alice.node, p.alice.who, terms, now());
  if (!created.ok) throw new Error(created.message);
  await p.alice.node.flush();
  const parsed = parseInviteLink(created.link);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.invite;
}

describe("invites to a private pool", () => {
  it("a joiner with only the link and the relay reads the pool and joins with its key", async () => {
    pool = await privatePool();
    const link = await invite(pool);
    expect(link.sealed).toMatchObject({ epoch: 0 });
    await until(() => Object.keys(pool!.bob.node.ledger.state.privacy?.invites ?? {}).length === 1, "the invite's key to reach the relay (bob sees it)");
    daveRepo = joinerRepo(pool.relay.repo);
    const opened = await openInviteKey(daveRepo, link);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const kex = kexKeyPairFromSeed(dave.seed, "test/kex");
    const node = await PrivateLedger.open({ repo: daveRepo, storage: new NodeFSStorageAdapter(join(pool.relay.dir, "..", "dave")), pool: pool.pool, authoriser: new UcanAuthoriser(), now, me: { did: dave.did, kex }, keys: [opened.key], also: [opened.holder], author: { author: dave }, flushMs: 50 });
    try {
      await until(() => node.ledger.state.pool !== undefined && node.ledger.state.members[pool!.alice.who.did] !== undefined, "dave to read the pool");
      const redeemed = await redeemInvite(link, dave.did, Math.floor(T0 / 1000) + 60);
      if (!redeemed.ok) throw new Error(redeemed.message);
      const joined = await joinWithInvite(node.ledger, dave, redeemed.redemption, now(), kex.publicKey);
      expect(joined).toMatchObject({ ok: true, status: "joined" });
      await node.flush();
      await until(() => pool!.alice.node.ledger.state.members[dave.did]?.kex !== undefined, "alice to read dave's join and key");
      expect(pool.alice.node.ledger.state.members[dave.did]!.kex).toBe(Buffer.from(kex.publicKey).toString("hex"));
    } finally {
      await node.close();
    }
  }, 60_000);

  it("refuses a link whose pointer names another mailbox item or another document", async () => {
    pool = await privatePool();
    const link = await invite(pool);
    const sealed = link.sealed!;
    await until(() => Object.keys(pool!.bob.node.ledger.state.privacy?.invites ?? {}).length === 1, "the invite's key to reach the relay");
    daveRepo = joinerRepo(pool.relay.repo);
    const elsewhere = { ...link, sealed: { ...sealed, mailbox: "00".repeat(32) } };
    expect(await openInviteKey(daveRepo, elsewhere)).toMatchObject({ ok: false, reason: "unknown-reference" });
    // mallory copies the real lockbox into a document of her own and points the link there.
    const item = readMailbox(pool.alice.node.documents()[0]!.doc(), sealed.mailbox) as Uint8Array;
    const decoy = daveRepo.create<SealedDoc>({ protocol: SEALED_PROTOCOL, envelopes: {}, mailbox: { [sealed.mailbox]: item } });
    const moved = { ...link, sealed: { ...sealed, document: decoy.documentId } };
    expect(await openInviteKey(daveRepo, moved)).toMatchObject({ ok: false, reason: "bad-body", message: expect.stringContaining("not the one of the document it names") });
  }, 60_000);
});
