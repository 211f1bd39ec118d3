/**
 * The relay's membership check (relay-members-node.ts, behind GET /turn) across ledger epochs: it
 * reads the latest epoch whose start it trusts, so a revocation written after a compaction counts;
 * a later epoch's document anyone can push (its id follows from the pool id) makes it step back,
 * still admitting members and refusing the revoked. A private pool's relay holds only sealed
 * documents: it has no ledger to judge by, before or after a compaction, and says so.
 * The relay module runs in this process (startRelay), with real repos connected by WebSocket.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LedgerDoc } from "../../../../src/core/ledger/document.ts";
import { genesisDocument, ledgerDocumentId } from "../../../../src/core/ledger/document.ts";
import { writeCheckpoint } from "../../../../src/core/ledger/checkpoint-writer.ts";
import { draftCheckpoint } from "../../../../src/core/ledger/checkpoints.ts";
import { startNextEpoch } from "../../../../src/core/ledger/epochs.ts";
import { Ledger } from "../../../../src/core/ledger/ledger.ts";
import { revocationTarget, revokeTarget } from "../../../../src/core/ledger/membership.ts";
import type { PoolId } from "../../../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { EntryWriter } from "../../../../src/core/ledger/writer.ts";
import { startRelay, type RunningRelay } from "../../../../src/core/net/relay-node.ts";
import { fetchTurnServers } from "../../../../src/core/net/turn-credentials.ts";
import { compactPrivatePool } from "../../../../src/core/privacy/private-epochs.ts";
import { utf8 } from "../../../../src/core/crypto/index.ts";
import { alice, bob, carol, dave, mallory, type TestIdentity } from "../../../fixtures/identities.ts";
import { relayedOn, type Network } from "../../ledger/network.ts";
import { until } from "../../../fixtures/until.ts";
import { testPool } from "../../net/ledger-peer.ts";
import { PRIVATE_POOL, privatePoolOn } from "../../privacy/private-pool.ts";

const TURN_URL = "turn:127.0.0.1:3478?transport=udp";
const WAIT = 60_000;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function turnRelay(pool: PoolId): Promise<{ relay: RunningRelay; logged: string[] }> {
  const data = await mkdtemp(join(tmpdir(), "edgepool-relay-"));
  const logged: string[] = [];
  const relay = await startRelay({ host: "127.0.0.1", port: 0, storageDirectory: data, log: (line) => logged.push(line), turn: { secret: utf8("a-shared-secret-for-coturn-0123456789"), uris: [TURN_URL], pools: [pool] } });
  cleanups.push(async () => {
    await relay.close();
    await rm(data, { recursive: true, force: true });
  });
  return { relay, logged };
}

function networkOn(relay: RunningRelay, names: readonly string[]): Network {
  const network = relayedOn(relay.url, names);
  cleanups.push(() => network.close());
  return network;
}

/** The relay's answer to `who`: "member", "refused" (403) or "no ledger" (503). */
async function verdict(relay: RunningRelay, pool: PoolId, who: TestIdentity): Promise<string> {
  const got = await fetchTurnServers(relay.url, who, pool, [TURN_URL], Date.now());
  if (got.ok) return "member";
  return got.message.includes("HTTP 403") ? "refused" : got.message.includes("HTTP 503") ? "no ledger" : got.message;
}

/** Asks until the relay answers `expected` (it judges by what has reached it), failing with its last answer. */
async function answers(relay: RunningRelay, pool: PoolId, who: TestIdentity, expected: string): Promise<void> {
  let got = "";
  await until(async () => (got = await verdict(relay, pool, who)) === expected, () => `the relay to answer ${who.name} "${expected}" (it answered "${got}")`, WAIT);
}

describe("the relay's membership check across ledger epochs", () => {
  it("follows a compaction, and steps back from a forged later epoch's document: members still admitted, the revoked still refused", { timeout: 120_000 }, async () => {
    const created = await testPool();
    const { relay, logged } = await turnRelay(created.pool);
    const network = networkOn(relay, ["alice", "dave"]);
    const [a, d] = network.peers;
    const ledger = await Ledger.open({ repo: a!.repo, storage: a!.storage, pool: created.pool, authoriser: new UcanAuthoriser(), now: Date.now });
    cleanups.push(async () => ledger.close());
    await ledger.append(created.entries);
    await answers(relay, created.pool, bob, "member");
    await answers(relay, created.pool, carol, "member");
    expect(await verdict(relay, created.pool, mallory)).toBe("refused");

    // The root compacts; carol's revocation exists only in the new epoch's document.
    const written = await writeCheckpoint(ledger, alice, Date.now(), [], 500, 1);
    if (!written.ok) throw new Error(written.message);
    const started = await startNextEpoch(ledger, written.id);
    if (!started.ok) throw new Error(started.message);
    const target = revocationTarget(ledger, carol.did);
    if (!target.ok) throw new Error(target.message);
    expect(await revokeTarget(ledger, alice, target, Date.now())).toMatchObject({ ok: true });
    expect(ledger.epoch).toBe(1);
    await answers(relay, created.pool, carol, "refused");
    await answers(relay, created.pool, bob, "member");

    // Dave (job/run, no ledger/checkpoint) pushes an epoch-2 document that starts from his own checkpoint.
    const { body, snapshot } = draftCheckpoint(ledger.entries(), Date.now() - 500, new UcanAuthoriser());
    const forged = await new EntryWriter(dave, created.pool, ledger.state.authors[dave.did]?.seq ?? 0, [created.proofs.get(dave.did)!]).write("checkpoint", { ...body, epoch: 2 }, Date.now());
    const fake = d!.repo.import<LedgerDoc>(genesisDocument(), { docId: ledgerDocumentId(created.pool, 2) });
    fake.change((doc) => {
      doc.checkpoint = forged.bytes;
      doc.snapshot = snapshot;
    });
    const stepped = () => logged.some((line) => line.startsWith(`relay: cannot open the ledger of pool ${created.pool}`));
    await until(async () => {
      if (stepped()) return true;
      await verdict(relay, created.pool, bob);
      return false;
    }, () => `the relay to judge the forged epoch-2 document: ${logged.join("\n")}`, WAIT);
    expect(await verdict(relay, created.pool, bob)).toBe("member");
    expect(await verdict(relay, created.pool, carol)).toBe("refused");
    expect(await verdict(relay, created.pool, mallory)).toBe("refused");
  });

  it("holds no ledger of a private pool to judge by, before or after a compaction", { timeout: 120_000 }, async () => {
    const { relay } = await turnRelay(PRIVATE_POOL);
    const pool = await privatePoolOn(networkOn(relay, ["alice", "bob", "carol"]), Date.now);
    cleanups.push(() => Promise.all([pool.alice, pool.bob, pool.carol].map((m) => m.node.close())).then(() => undefined));
    await until(() => pool.bob.node.ledger.state.privacy !== undefined, "bob reads the sealed genesis", WAIT);
    expect(await verdict(relay, PRIVATE_POOL, bob)).toBe("no ledger");

    const done = await compactPrivatePool({ node: pool.alice.node, author: alice, time: Date.now(), settleMs: 500 });
    if (!done.ok) throw new Error(done.message);
    await until(() => pool.bob.node.view().ledgerEpoch === 1, "bob follows the compaction", WAIT);
    expect(await verdict(relay, PRIVATE_POOL, bob)).toBe("no ledger");
    expect(await verdict(relay, PRIVATE_POOL, mallory)).toBe("no ledger");
  });
});
