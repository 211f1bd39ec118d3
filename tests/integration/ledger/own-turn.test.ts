/**
 * An admin's revocations and pool settings take their sequence numbers in the author's one line
 * of own writes: an app whose node has a write in flight (a job, a claim) while its admin revokes
 * or changes a setting signs two entries with two numbers, never one number twice (the fold would
 * refuse both as equivocation and strike the admin).
 */
import { afterEach, describe, expect, it } from "vitest";
import { OwnEntries } from "../../../src/core/jobs/own-entries.ts";
import { equivocators, Ledger } from "../../../src/core/ledger/ledger.ts";
import { revocationTarget, revokeDelegation, setPoolNetwork } from "../../../src/core/ledger/membership.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import type { Author } from "../../../src/core/ledger/writer.ts";
import { heldSigner } from "../../fixtures/held-signer.ts";
import { alice, dave } from "../../fixtures/identities.ts";
import { recentPool } from "../../fixtures/recent-pool.ts";
import { meshOf, type Network } from "./network.ts";

let network: Network | undefined;
afterEach(async () => {
  await network?.close();
  network = undefined;
});

describe("an admin's writes beside the node's own writes", () => {
  it("a setting and a revocation signed while a node's write is in flight each get their own sequence number", async () => {
    const created = await recentPool();
    network = meshOf(["alice"]);
    const peer = network.peers[0]!;
    const ledger = await Ledger.open({ repo: peer.repo, storage: peer.storage, pool: created.pool, authoriser: new UcanAuthoriser(), now: Date.now });
    expect((await ledger.append(created.entries)).ok).toBe(true);
    const signer = heldSigner(alice.signingKey);
    const author: Author = { did: alice.did, signingKey: signer.key };
    const own = new OwnEntries(ledger, author, { now: Date.now });
    const network1 = { ice: ["stun:stun.example.org:3478"], relayOnly: 0 };

    signer.hold();
    const inFlight = own.write("pool.network", network1);
    const setting = setPoolNetwork(ledger, author, { ice: [], relayOnly: true }, Date.now());
    signer.rivalStarted();
    expect(await inFlight).toMatchObject({ ok: true });
    expect(await setting).toMatchObject({ ok: true });

    const target = revocationTarget(ledger, dave.did);
    if (!target.ok || !("token" in target)) throw new Error("dave joined through bob's invite: his target is a delegation");
    signer.hold();
    const second = own.write("pool.network", network1);
    const revoked = revokeDelegation(ledger, author, target.token, Date.now());
    signer.rivalStarted();
    expect(await second).toMatchObject({ ok: true });
    expect(await revoked).toMatchObject({ ok: true, already: false });

    const view = ledger.view();
    expect(equivocators(view)).toEqual([]);
    expect(view.invalid).toEqual([]);
    const seqs = ledger.entries().filter((e) => e.entry.author === alice.did).map((e) => e.entry.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(ledger.state.standing[alice.did]?.strikes ?? []).toEqual([]);
  }, 60_000);
});
