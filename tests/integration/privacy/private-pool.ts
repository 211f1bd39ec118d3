/**
 * A private pool for tests: alice (root) creates it with bob (admin) and carol (worker) as members
 * who published key-agreement keys, on real repos wired by MessageChannel; a fourth repo,
 * `relay`, is a plain automerge-repo peer with storage that runs no EdgePool code (what a relay
 * is). bob and carol start with key epoch 0, as an invite would give it to them.
 */
import { tokenHash } from "../../../src/core/capability/chain.ts";
import { derivePoolId } from "../../../src/core/capability/pool.ts";
import { kexKeyPairFromSeed, type KexKeyPair } from "../../../src/core/crypto/index.ts";
import type { Did } from "../../../src/core/identity/did-key.ts";
import { createPoolWithMembers } from "../../../src/core/ledger/pool-members.ts";
import type { PoolId, SignedEntry } from "../../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import type { EntryWriter } from "../../../src/core/ledger/writer.ts";
import { PrivateLedger } from "../../../src/core/privacy/private-ledger.ts";
import { createPrivatePool } from "../../../src/core/privacy/rotation.ts";
import { alice, bob, carol, type TestIdentity } from "../../fixtures/identities.ts";
import { seededRandom } from "../../fixtures/seeded-random.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Repo, type PeerId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { ClosingStorage, shutdownRepo } from "../../../src/core/ledger/closing-storage.ts";
import type { Network, Peer } from "../ledger/network.ts";

export const T0 = 1_767_225_600_000;
export const kexOf = (who: TestIdentity): KexKeyPair => kexKeyPairFromSeed(who.seed, "test/kex");

export interface Member {
  readonly who: TestIdentity;
  readonly peer: Peer;
  readonly node: PrivateLedger;
  readonly writer: EntryWriter;
  readonly proof: string | undefined;
}

export interface PrivatePool {
  readonly pool: PoolId;
  readonly network: Network;
  readonly relay: Peer;
  readonly alice: Member;
  readonly bob: Member;
  readonly carol: Member;
  /** alice's signed revocation of `who`'s delegation. */
  revocation(who: TestIdentity, time: number): Promise<SignedEntry>;
  close(): Promise<void>;
}

export const now = () => T0 + 60_000;

const NONCE = new Uint8Array(16).fill(5);
/** The pool's id (a relay serving it is told before the pool exists). */
export const PRIVATE_POOL = derivePoolId(alice.did, NONCE);

/** `clock`: the members' ledgers' time (default: fixed at T0 + 60 s; a node that runs jobs needs one that moves). */
export async function privatePool(clock: () => number = now): Promise<PrivatePool> {
  const network = starOf(["alice", "bob", "carol"]);
  return { ...(await privatePoolOn(network, clock)), relay: network.peers[3]! };
}

/** The same pool on repos given (alice's, bob's, carol's first: say, each connected to a relay process). */
export async function privatePoolOn(network: Network, clock: () => number): Promise<Omit<PrivatePool, "relay">> {
  const [pa, pb, pc] = network.peers as [Peer, Peer, Peer];
  const created = await createPoolWithMembers({
    root: alice,
    settings: { name: "private", replication: 1, rewardPerJob: 1, vestingSeconds: 0, leaseSeconds: 60 },
    nonce: NONCE,
    time: T0,
    members: [
      { identity: bob, abilities: ["pool/admin"], time: T0 + 1, kex: kexOf(bob).publicKey },
      { identity: carol, abilities: ["job/run"], time: T0 + 2, kex: kexOf(carol).publicKey },
    ],
    random: seededRandom("private pool"),
  });
  const common = (peer: Peer, who: TestIdentity) => ({
    repo: peer.repo,
    storage: peer.storage,
    authoriser: new UcanAuthoriser(),
    now: clock,
    me: { did: who.did, kex: kexOf(who) },
    flushMs: 50,
  });
  const made = await createPrivatePool({ ...common(pa, alice), root: alice, entries: created.entries, time: T0 + 10 });
  if (!made.ok) throw new Error(`${made.reason}: ${made.message}`);
  const key0 = made.node.keyring.latest()!;
  const member = async (peer: Peer, who: TestIdentity): Promise<Member> => {
    const proof = created.proofs.get(who.did);
    const node = await PrivateLedger.open({ ...common(peer, who), pool: created.pool, keys: [key0], author: { author: who, ...(proof ? { proof } : {}) } });
    return { who, peer, node, writer: created.writers.get(who.did)!, proof };
  };
  const members = { alice: { who: alice, peer: pa, node: made.node, writer: created.writers.get(alice.did)!, proof: undefined }, bob: await member(pb, bob), carol: await member(pc, carol) };
  return {
    pool: created.pool,
    network,
    ...members,
    async revocation(who, time) {
      const token = created.proofs.get(who.did)!;
      const seqs = members.alice.node.ledger.entries().filter((e) => e.entry.author === who.did).map((e) => e.entry.seq);
      const writer = members.alice.node.ledger.writerFor(alice);
      return writer.write("ucan.revoke", { target: tokenHash(token), token, honoured: { [who.did]: Math.max(0, ...seqs) }, from: T0 + 1 }, time);
    },
    async close() {
      for (const m of Object.values(members)) await m.node.close();
      await network.close();
    },
  };
}

/** The DIDs a test looks for in bytes it should not be able to read. */
export const everyone: readonly Did[] = [alice.did, bob.did, carol.did];

/**
 * Members connected only to `relay`, a plain automerge-repo peer with storage that, like
 * `edgepool relay` and the stock sync server, answers requests and announces nothing
 * (sharePolicy false): a member learns a document only by asking for its id.
 */
function starOf(names: readonly string[]): Network {
  const root = mkdtempSync(join(tmpdir(), "edgepool-private-"));
  const toRelay: MessageChannelNetworkAdapter[] = [];
  const peers: Peer[] = names.map((name) => {
    const { port1, port2 } = new MessageChannel();
    toRelay.push(new MessageChannelNetworkAdapter(port2 as never));
    const dir = join(root, name);
    const storage = new ClosingStorage(new NodeFSStorageAdapter(dir));
    return { name, dir, storage, repo: new Repo({ peerId: name as PeerId, storage, network: [new MessageChannelNetworkAdapter(port1 as never)] }) };
  });
  const dir = join(root, "relay");
  const storage = new ClosingStorage(new NodeFSStorageAdapter(dir));
  peers.push({ name: "relay", dir, storage, repo: new Repo({ peerId: "relay" as PeerId, storage, network: toRelay, sharePolicy: async () => false }) });
  return {
    peers,
    async close() {
      await Promise.all(peers.map((p) => shutdownRepo(p.repo, p.storage)));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
