import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { afterEach, describe, expect, it } from "vitest";
import { kexKeyPairFromSecret } from "../../../../src/core/crypto/index.ts";
import { memberKex } from "../../../../src/core/privacy/member-keys.ts";
import { heldMemberKex, restoreMemberKex, storedMemberKex } from "../../../../src/core/privacy/stored-kex.ts";
import { alice, bob } from "../../../fixtures/identities.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storage(): { dir: string; open: () => NodeFSStorageAdapter } {
  const dir = mkdtempSync(join(tmpdir(), "edgepool-kex-"));
  dirs.push(dir);
  return { dir, open: () => new NodeFSStorageAdapter(dir) };
}

describe("a member key-agreement key kept in the node's storage", () => {
  it("is made once per identity and read back the same after a restart", async () => {
    const { open } = storage();
    const first = await storedMemberKex(open(), alice.did);
    const again = await storedMemberKex(open(), alice.did);
    expect(again.publicKey).toEqual(first.publicKey);
    expect(again.secretKey).toEqual(first.secretKey);
    expect(first.publicKey).toEqual(kexKeyPairFromSecret(first.secretKey).publicKey);
    const other = await storedMemberKex(open(), bob.did);
    expect(other.publicKey).not.toEqual(first.publicKey);
  });

  it("replaces a stored value that is not a 32-byte secret with a fresh key", async () => {
    const { open } = storage();
    const store = open();
    await store.save(["edgepool-member-kex", alice.did], new Uint8Array(7));
    const made = await storedMemberKex(store, alice.did);
    expect(made.secretKey).toHaveLength(32);
    expect((await storedMemberKex(open(), alice.did)).publicKey).toEqual(made.publicKey);
  });

  it("uses a CLI node's seed-derived key when nothing is stored, without storing it", async () => {
    const { open } = storage();
    const derived = memberKex(alice.seed);
    expect((await storedMemberKex(open(), alice.did, derived)).publicKey).toEqual(derived.publicKey);
    expect(await heldMemberKex(open(), alice.did)).toBeUndefined();
  });

  it("uses a restored key (from a backup) in place of the one stored or derived before", async () => {
    const { open } = storage();
    const made = await storedMemberKex(open(), alice.did);
    const restored = new Uint8Array(32).fill(9);
    await restoreMemberKex(open(), alice.did, restored);
    for (const fallback of [undefined, memberKex(alice.seed)]) {
      const used = await storedMemberKex(open(), alice.did, fallback);
      expect(used.secretKey).toEqual(restored);
      expect(used.publicKey).not.toEqual(made.publicKey);
    }
  });
});
