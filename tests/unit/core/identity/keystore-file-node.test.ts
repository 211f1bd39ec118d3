import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileKeystore, KeystoreFileError } from "../../../../src/core/identity/keystore-file-node.ts";
import { keystoreContract } from "./keystore-contract.ts";
import { alice, bob } from "../../../fixtures/identities.ts";

let root: string;
let home: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "edgepool-keystore-"));
  home = join(root, "home");
});
afterEach(() => rm(root, { recursive: true, force: true }));

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe("the file keystore", () => {
  keystoreContract({ fresh: () => new FileKeystore(home), reopen: () => new FileKeystore(home) });

  it("keeps the identity in a 0600 file in a 0700 home, leaving no temporary file", async () => {
    await new FileKeystore(home).loadOrCreate();
    expect(await modeOf(home)).toBe(0o700);
    expect(await modeOf(join(home, "identity.json"))).toBe(0o600);
    expect(await readdir(home)).toEqual(["identity.json"]);
  });

  it("reports exactly one creation when several create at once", async () => {
    const created = await Promise.all([1, 2, 3, 4].map(() => new FileKeystore(home).create()));
    expect(new Set(created.map((r) => (r.ok ? r.stored.identity.did : r.reason))).size).toBe(1);
    expect(created.filter((r) => r.ok && r.created)).toHaveLength(1);
  });

  it("refuses a file readable by others and leaves it as it was", async () => {
    await new FileKeystore(home).store(alice.seed, { replace: false });
    const path = join(home, "identity.json");
    await chmod(path, 0o644);
    const read = await new FileKeystore(home).read();
    expect(read.ok ? "read" : read.reason).toBe("insecure-permissions");
    expect(!read.ok && read.message).toContain(`chmod 600 ${path}`);
    expect(await modeOf(path)).toBe(0o644);
  });

  it("refuses a corrupt file with a clear error and never replaces it with a new identity", async () => {
    await new FileKeystore(home).store(alice.seed, { replace: false });
    const path = join(home, "identity.json");
    const damaged = (await readFile(path, "utf8")).replace(/"seed":"0/, '"seed":"f');
    await writeFile(path, damaged, { mode: 0o600 });
    const keystore = new FileKeystore(home);
    await expect(keystore.loadOrCreate()).rejects.toThrow(KeystoreFileError);
    await expect(keystore.loadOrCreate()).rejects.toThrow(/damaged \(the seed belongs to did:key:.*, but the file names/);
    expect(await readFile(path, "utf8")).toBe(damaged);
  });

  it.each([
    ["not JSON", "{\"format\":\"edgepool-ide"],
    ["a JSON object", "[1,2]"],
    ["expected \"edgepool-identity\"", "{\"format\":\"x\"}"],
    ["version 2 is not supported", "{\"format\":\"edgepool-identity\",\"version\":2}"],
    ["64 lowercase hex", "{\"format\":\"edgepool-identity\",\"version\":1,\"seed\":\"zz\"}"],
  ])("says what is wrong with a file that is %s", async (problem, contents) => {
    await new FileKeystore(home).create();
    await writeFile(join(home, "identity.json"), contents, { mode: 0o600 });
    const read = await new FileKeystore(home).read();
    expect(read.ok ? "read" : read.reason).toBe("corrupt");
    expect(!read.ok && read.message).toContain(problem);
  });

  it("imports a seed, treats the same seed again as a no-op, and refuses a different one", async () => {
    const keystore = new FileKeystore(home);
    const first = await keystore.store(alice.seed, { replace: false });
    expect(first.ok && first.stored.identity.did).toBe(alice.did);
    const same = await keystore.store(alice.seed, { replace: false });
    expect(same.ok && same.created).toBe(false);
    const other = await keystore.store(bob.seed, { replace: false });
    expect(other.ok ? "stored" : other.reason).toBe("exists-different");
    expect(!other.ok && other.message).toContain(alice.did);
    expect((await keystore.load())?.did).toBe(alice.did);
  });

  it("replaces a different identity only when asked, keeping the old file beside it", async () => {
    const keystore = new FileKeystore(home, () => 1_700_000_000_000);
    await keystore.store(alice.seed, { replace: false });
    const replaced = await keystore.store(bob.seed, { replace: true });
    expect(replaced.ok && replaced.replacedPath).toBe(join(home, "identity.replaced-1700000000000.json"));
    expect((await keystore.load())?.did).toBe(bob.did);
    expect(await readFile(join(home, "identity.replaced-1700000000000.json"), "utf8")).toContain(alice.did);
  });
});
