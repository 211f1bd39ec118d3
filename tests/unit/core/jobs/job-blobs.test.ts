import { afterEach, describe, expect, it } from "vitest";
import { Repo } from "@automerge/automerge-repo";
import { derivePoolId } from "../../../../src/core/capability/pool.ts";
import { BlobStore, blobHash } from "../../../../src/core/jobs/blobs.ts";
import { SealedBlobs } from "../../../../src/core/jobs/job-blobs.ts";
import { decodeSealedRef, encodeSealedRef } from "../../../../src/core/jobs/sealed-ref.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { contextOf, validateEntry } from "../../../../src/core/ledger/validate.ts";
import { EntryWriter } from "../../../../src/core/ledger/writer.ts";
import { shutdownRepo } from "../../../../src/core/ledger/closing-storage.ts";
import { alice } from "../../../fixtures/identities.ts";

const T0 = 1_767_225_600_000;
let repos: Repo[] = [];
afterEach(async () => {
  await Promise.all(repos.map((r) => shutdownRepo(r)));
  repos = [];
});

const store = () => {
  const repo = new Repo({ network: [] });
  repos.push(repo);
  return new BlobStore(repo);
};

describe("sealed blobs (a private pool's)", () => {
  it("the store holds only the ciphertext; a reader with the entry's reference gets the plaintext back", async () => {
    const shared = store();
    const bytes = new Uint8Array(50_000).map((_, i) => i % 251);
    const ref = await new SealedBlobs(shared).put(bytes);
    expect(ref.hash).toBe(blobHash(bytes));
    const cipher = await shared.get(ref.sealed!.at, { timeoutMs: 100 });
    expect(cipher.ok && cipher.bytes.length).toBe(bytes.length + 16);
    expect((await shared.get(ref.hash, { timeoutMs: 100 })).ok).toBe(false);
    // A reader that never saw the plaintext: the 64-byte reference is all it needs.
    const reference = decodeSealedRef(encodeSealedRef(ref.sealed!))!;
    const got = await new SealedBlobs(shared).get({ hash: ref.hash, sealed: reference });
    expect(got.ok && got.bytes).toEqual(bytes);
  });

  it("the same bytes put twice get fresh keys on two nodes (no convergent encryption), once on one", async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const node = new SealedBlobs(store());
    const [a, b, c] = [await node.put(bytes), await node.put(bytes), await new SealedBlobs(store()).put(bytes)];
    expect(b).toBe(a);
    expect(c.sealed!.at).not.toBe(a.sealed!.at);
  });

  it("refuses a reference whose key is wrong, and one without a key for bytes it does not hold", async () => {
    const shared = store();
    const ref = await new SealedBlobs(shared).put(new Uint8Array(100).fill(9));
    const reader = new SealedBlobs(shared);
    expect(await reader.get({ hash: ref.hash, sealed: { at: ref.sealed!.at, key: new Uint8Array(32).fill(1) } })).toMatchObject({ ok: false, reason: "unreadable" });
    expect(await reader.get({ hash: ref.hash })).toMatchObject({ ok: false, reason: "unreadable" });
    expect(decodeSealedRef(new Uint8Array(63))).toBeUndefined();
  });

  it("the ledger checks the sealed references' shape: 64 bytes, an input's only with its blob, an output's only without inline data", async () => {
    const pool = derivePoolId(alice.did, new Uint8Array(16).fill(3));
    const context = contextOf({ pool, authoriser: new UcanAuthoriser(), now: () => T0 + 60_000 });
    const writer = new EntryWriter(alice, pool, 1);
    const job = { task: "ab".repeat(32), input: new Uint8Array(0), replicas: 1, reward: 1, deadline: T0 + 10 ** 6 };
    const ref = new Uint8Array(64).fill(4);
    const good = await writer.write("job.submit", { ...job, blob: "cd".repeat(32), sealed: { task: ref, blob: ref } }, T0);
    expect(await validateEntry(good.bytes, context)).toMatchObject({ ok: true });
    for (const body of [{ ...job, sealed: { blob: ref } }, { ...job, sealed: { task: ref.subarray(1) } }]) {
      expect(await validateEntry((await writer.write("job.submit", body, T0)).bytes, context)).toMatchObject({ ok: false, reason: "bad-body" });
    }
    const output = new Uint8Array(32);
    const reveal = { job: good.id, salt: new Uint8Array(16), output };
    expect(await validateEntry((await writer.write("result.reveal", { ...reveal, sealed: ref }, T0)).bytes, context)).toMatchObject({ ok: true });
    const both = await writer.write("result.reveal", { ...reveal, sealed: ref, data: new Uint8Array(0) }, T0);
    expect(await validateEntry(both.bytes, context)).toMatchObject({ ok: false, reason: "bad-body" });
  });
});
