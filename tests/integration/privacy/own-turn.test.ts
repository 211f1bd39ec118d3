/**
 * A private pool's key writes (rotation, rekey) take their sequence numbers in the author's one
 * line of own writes: a root whose node has a write in flight (a job, a claim) and that rotates
 * at the same moment signs two entries with two numbers, never one number twice (the fold would
 * refuse both as equivocation and strike the root).
 */
import { afterEach, describe, expect, it } from "vitest";
import { OwnEntries } from "../../../src/core/jobs/own-entries.ts";
import { equivocators } from "../../../src/core/ledger/ledger.ts";
import type { Author } from "../../../src/core/ledger/writer.ts";
import { publishKex } from "../../../src/core/privacy/member-rekey.ts";
import { rotateKey } from "../../../src/core/privacy/rotation.ts";
import { heldSigner } from "../../fixtures/held-signer.ts";
import { kexOf, now, privatePool, T0, type PrivatePool } from "./private-pool.ts";

let pool: PrivatePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe("a private pool's key writes beside the node's own writes", () => {
  it("a rotation and a rekey signed while a node's write is in flight each get their own sequence number", async () => {
    pool = await privatePool();
    const { alice } = pool;
    const ledger = alice.node.ledger;
    const signer = heldSigner(alice.who.signingKey);
    const author: Author = { did: alice.who.did, signingKey: signer.key };
    const own = new OwnEntries(ledger, author, { now });
    const rekey = { kex: kexOf(alice.who).publicKey };

    signer.hold();
    const inFlight = own.write("member.rekey", rekey);
    const rotated = rotateKey({ node: alice.node, author, time: T0 + 20_000 });
    signer.rivalStarted();
    const [written, rotation] = await Promise.all([inFlight, rotated]);
    expect(written).toMatchObject({ ok: true });
    expect(rotation).toMatchObject({ ok: true, epoch: 1 });

    signer.hold();
    const second = own.write("member.rekey", rekey);
    const published = publishKex(alice.node, { author });
    signer.rivalStarted();
    expect(await second).toMatchObject({ ok: true });
    expect(await published).toMatchObject({ ok: true });

    const view = ledger.view();
    expect(equivocators(view)).toEqual([]);
    expect(view.invalid).toEqual([]);
    const seqs = ledger.entries().filter((e) => e.entry.author === alice.who.did).map((e) => e.entry.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(ledger.state.standing[alice.who.did]?.strikes ?? []).toEqual([]);
  }, 60_000);
});
