import { afterEach, describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import type { SealedDoc } from "../../../src/core/privacy/sealed-document.ts";
import { readEnvelopes } from "../../../src/core/privacy/sealed-document.ts";
import { isPadmeLength } from "../../../src/core/privacy/padme.ts";
import { stateHash } from "../../../src/core/ledger/state.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openEnvelope } from "../../../src/core/privacy/envelope.ts";
import { rotateKey, rotationDue } from "../../../src/core/privacy/rotation.ts";
import { until } from "../../fixtures/until.ts";
import { everyone, privatePool, T0, type PrivatePool } from "./private-pool.ts";

let pool: PrivatePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

const submit = (who: PrivatePool["bob"], time: number, n = 1) =>
  who.node.ledger.write(who.who, "job.submit", { task: "a".repeat(64), input: new Uint8Array([n]), replicas: 1, reward: 1, deadline: time + 600_000 }, who.proof ? [who.proof] : []);

describe("private pool over real repos", () => {
  it("members converge on the same state through sealed documents alone", async () => {
    pool = await privatePool();
    const { alice, bob, carol } = pool;
    await until(() => Object.keys(bob.node.ledger.state.members).length === 3 && carol.node.ledger.state.privacy !== undefined, "bob and carol read the sealed genesis");
    expect(stateHash(bob.node.ledger.state)).toBe(stateHash(alice.node.ledger.state));
    expect(bob.node.view()).toMatchObject({ epoch: 0, sealingEpoch: 0, pendingRotation: false });
  }, 30_000);
});

describe("rotation on revocation", () => {
  it("a removed member with the old key cannot open what is sealed after, nor find the new document", async () => {
    pool = await privatePool();
    const { alice, bob, carol, relay } = pool;
    await until(() => carol.node.ledger.state.privacy !== undefined && bob.node.ledger.state.privacy !== undefined, "members read the sealed genesis");
    const revocation = await pool.revocation(carol.who, T0 + 30_000);
    const rotated = await rotateKey({ node: alice.node, author: alice.who, time: T0 + 30_000, revocations: [revocation], removed: [carol.who.did] });
    expect(rotated.ok).toBe(true);
    if (!rotated.ok) return;
    await until(() => bob.node.view().sealingEpoch === 1, "bob opens his lockbox for epoch 1");
    await until(() => carol.node.view().pendingRotation, "carol learns that a rotation happened");
    const secret = await submit(bob, T0 + 40_000);
    expect(secret.ok).toBe(true);
    if (!secret.ok) return;
    await bob.node.flush();
    await until(() => alice.node.ledger.entry(secret.ids[0]!) !== undefined, "alice reads bob's entry sealed under epoch 1");
    await carol.node.settled();
    expect(carol.node.ledger.entry(secret.ids[0]!)).toBeUndefined();
    expect(carol.node.keyring.byId(rotated.key.keyId)).toBeUndefined();
    expect(carol.peer.repo.handles[rotated.key.documentId]).toBeUndefined();
    // The colluding relay's copy of the new document: nothing in it opens with carol's keys.
    const copy = await relay.repo.find<SealedDoc>(rotated.key.documentUrl);
    const envelopes = readEnvelopes(copy.doc());
    expect(envelopes.length).toBeGreaterThan(0);
    for (const { key, value } of envelopes) {
      expect(await openEnvelope(pool.pool, key, value, (id) => carol.node.keyring.byId(id))).toMatchObject({ ok: false, reason: "pending-key" });
    }
    // Whoever holds the new key walks back to the old one and agrees on all history.
    expect(stateHash(bob.node.ledger.state)).toBe(stateHash(alice.node.ledger.state));
    expect(rotationDue(alice.node.ledger.state)).toEqual([]);
  }, 60_000);

  it("the relay's stored documents show no DID, kind or plaintext; every change has time 0; every envelope is a Padmé size", async () => {
    pool = await privatePool();
    const { bob, relay } = pool;
    await until(() => bob.node.ledger.state.privacy !== undefined, "bob reads the sealed genesis");
    await submit(bob, T0 + 40_000);
    await bob.node.flush();
    await until(() => Object.keys(pool!.alice.node.ledger.state.jobs).length === 1, "alice reads bob's job");
    await relay.repo.flush();
    const handles = Object.values(relay.repo.handles) as DocHandle<SealedDoc>[];
    expect(handles.length).toBeGreaterThan(0);
    for (const handle of handles) {
      const doc = handle.doc();
      for (const change of A.getAllChanges(doc)) expect(A.decodeChange(change).time).toBe(0);
      for (const { value } of readEnvelopes(doc)) expect(isPadmeLength((value as Uint8Array).length)).toBe(true);
      const text = JSON.stringify(doc, (_k, v) => (v instanceof Uint8Array ? new TextDecoder("latin1").decode(v) : v));
      for (const needle of [...everyone, "job.submit", "member.join", "key.rotate", pool.pool, "private"]) expect(text).not.toContain(needle);
    }
    const files = readdirSync(relay.dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    for (const file of files) {
      const raw = new TextDecoder("latin1").decode(readFileSync(join(file.parentPath, file.name)));
      for (const needle of [...everyone, "job.submit", pool.pool]) expect(raw).not.toContain(needle);
    }
  }, 60_000);
});
