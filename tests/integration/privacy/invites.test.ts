/**
 * Invites to a private pool on real repos: dave, who has only the link and the relay, opens the
 * lockbox the link points to, reads the pool and joins with his key-agreement key; a multi-use
 * link still admits erin after a rotation (the rotation wrapped its key for the link); a link made
 * after a rotation leads back to all history; a link whose
 * pointer was changed (another mailbox item, another document) is refused.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Repo, type PeerId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { join as joinPath } from "node:path";
import { shutdownRepo } from "../../../src/core/ledger/closing-storage.ts";
import { parseInviteLink, redeemInvite, type InviteLink } from "../../../src/core/capability/invite.ts";
import { kexKeyPairFromSeed } from "../../../src/core/crypto/index.ts";
import { joinWithInvite } from "../../../src/core/ledger/membership.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { createPrivateInvite, openInviteKey } from "../../../src/core/privacy/private-invite.ts";
import { PrivateLedger } from "../../../src/core/privacy/private-ledger.ts";
import { readMailbox, SEALED_PROTOCOL, type SealedDoc } from "../../../src/core/privacy/sealed-document.ts";
import { recipientTag } from "../../../src/core/ledger/rules/privacy.ts";
import { rotateKey } from "../../../src/core/privacy/rotation.ts";
import { dave, fixture, type TestIdentity } from "../../fixtures/identities.ts";
import { until } from "../../fixtures/until.ts";
import { now, privatePool, T0, type PrivatePool } from "./private-pool.ts";

const erin = fixture("erin", 5);
/** Generous: each wait is a sync through the relay, slow on a loaded machine. */
const WAIT = 60_000;
let pool: PrivatePool | undefined;
let joiners: { repo: Repo; node?: PrivateLedger }[] = [];
afterEach(async () => {
  for (const j of joiners) await j.node?.close();
  await Promise.all(joiners.map((j) => shutdownRepo(j.repo)));
  await pool?.close();
  pool = undefined;
  joiners = [];
});

/** A repo connected only to the relay, as a joiner with nothing but the link. */
function joinerRepo(relay: Repo, name = "dave"): Repo {
  const { port1, port2 } = new MessageChannel();
  relay.networkSubsystem.addNetworkAdapter(new MessageChannelNetworkAdapter(port2 as never));
  const repo = new Repo({ peerId: name as PeerId, network: [new MessageChannelNetworkAdapter(port1 as never)] });
  joiners.push({ repo });
  return repo;
}

async function invite(p: PrivatePool, uses = 1): Promise<InviteLink> {
  const seconds = Math.floor(T0 / 1000);
  const terms = { abilities: ["job/run" as const], uses, joinBefore: seconds + 3_600, memberExpiration: seconds + 86_400, appUrl: "http://localhost:8080/", relay: undefined };
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
    await until(() => Object.keys(pool!.bob.node.ledger.state.privacy?.invites ?? {}).length === 1, "the invite's key to reach the relay (bob sees it)", WAIT);
    const kex = await join(pool, dave, link);
    expect(pool.alice.node.ledger.state.members[dave.did]!.kex).toBe(Buffer.from(kex).toString("hex"));
  }, 180_000);

  it("a multi-use link still admits someone after a rotation: the new key was wrapped for it too", async () => {
    pool = await privatePool();
    const link = await invite(pool, 2);
    await until(() => Object.keys(pool!.bob.node.ledger.state.privacy?.invites ?? {}).length === 1, "the invite's key to reach the relay (bob sees it)", WAIT);
    await join(pool, dave, link);
    const rotated = await rotateKey({ node: pool.alice.node, author: pool.alice.who, time: now() });
    expect(rotated).toMatchObject({ ok: true, epoch: 1 });
    expect(pool.alice.node.ledger.state.privacy!.epochs[1]!.recipients).toContain(recipientTag(inviteKeyOf(pool)));
    await pool.alice.node.flush();
    // erin has only the link (it points at epoch 0): she follows the rotation through the link's lockbox.
    await join(pool, erin, link, 1);
    expect(pool.alice.node.ledger.state.members[erin.did]?.invite).toBe(pool.alice.node.ledger.state.members[dave.did]?.invite);
  }, 180_000);

  it("a link made after a rotation points at the new epoch; the joiner walks back and reads all history", async () => {
    pool = await privatePool();
    expect(await rotateKey({ node: pool.alice.node, author: pool.alice.who, time: now() })).toMatchObject({ ok: true, epoch: 1 });
    const link = await invite(pool);
    expect(link.sealed).toMatchObject({ epoch: 1 });
    await until(() => Object.keys(pool!.bob.node.ledger.state.privacy?.invites ?? {}).length === 1, "the invite's lockbox and key to reach the relay (bob sees them)", WAIT);
    await join(pool, dave, link, 1);
    // pool.create and the members' joins were sealed under epoch 0, which the link never named.
    const daves = joiners[0]!.node!;
    expect(daves.keyring.all().map((k) => k.epoch).sort()).toEqual([0, 1]);
    expect(Object.keys(daves.ledger.state.members).sort()).toEqual(Object.keys(pool.alice.node.ledger.state.members).sort());
  }, 180_000);

  it("refuses a link whose pointer names another mailbox item or another document", async () => {
    pool = await privatePool();
    const link = await invite(pool);
    const sealed = link.sealed!;
    await until(() => Object.keys(pool!.bob.node.ledger.state.privacy?.invites ?? {}).length === 1, "the invite's key to reach the relay", WAIT);
    const daveRepo = joinerRepo(pool.relay.repo);
    const elsewhere = { ...link, sealed: { ...sealed, mailbox: "00".repeat(32) } };
    expect(await openInviteKey(daveRepo, elsewhere)).toMatchObject({ ok: false, reason: "unknown-reference" });
    // mallory copies the real lockbox into a document of her own and points the link there.
    const item = readMailbox(pool.alice.node.documents()[0]!.doc(), sealed.mailbox) as Uint8Array;
    const decoy = daveRepo.create<SealedDoc>({ protocol: SEALED_PROTOCOL, envelopes: {}, mailbox: { [sealed.mailbox]: item } });
    const moved = { ...link, sealed: { ...sealed, document: decoy.documentId } };
    expect(await openInviteKey(daveRepo, moved)).toMatchObject({ ok: false, reason: "bad-body", message: expect.stringContaining("not the one of the document it names") });
  }, 180_000);
});

/** The published invite key of the pool's one link. */
const inviteKeyOf = (p: PrivatePool) => Object.values(p.alice.node.ledger.state.privacy!.invites)[0]!.key;

/**
 * `who` joins with nothing but the link and the relay: opens the link's lockbox, reads the pool,
 * follows rotations to `epoch`, writes its member.join there; returns once alice has read it.
 */
async function join(p: PrivatePool, who: TestIdentity, link: InviteLink, epoch = 0): Promise<Uint8Array> {
  const repo = joinerRepo(p.relay.repo, who.name);
  const opened = await openInviteKey(repo, link);
  if (!opened.ok) throw new Error(opened.message);
  const kex = kexKeyPairFromSeed(who.seed, "test/kex");
  const node = await PrivateLedger.open({ repo, storage: new NodeFSStorageAdapter(joinPath(p.relay.dir, "..", who.name)), pool: p.pool, authoriser: new UcanAuthoriser(), now, me: { did: who.did, kex }, keys: [opened.key], also: [opened.holder], author: { author: who }, flushMs: 50 });
  joiners.find((j) => j.repo === repo)!.node = node;
  await until(() => node.ledger.state.pool !== undefined && node.ledger.state.members[p.alice.who.did] !== undefined && node.view().sealingEpoch === epoch, `${who.name} to read the pool and hold epoch ${epoch}'s key`, WAIT);
  const redeemed = await redeemInvite(link, who.did, Math.floor(T0 / 1000) + 60);
  if (!redeemed.ok) throw new Error(redeemed.message);
  expect(await joinWithInvite(node.ledger, who, redeemed.redemption, now(), kex.publicKey)).toMatchObject({ ok: true, status: "joined" });
  await node.flush();
  await until(() => p.alice.node.ledger.state.members[who.did]?.kex !== undefined, `alice to read ${who.name}'s join and key`, WAIT);
  return kex.publicKey;
}
