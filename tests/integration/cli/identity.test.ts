import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { bytesToHex, kexKeyPairFromSecret, randomBytes } from "../../../src/core/crypto/index.ts";
import { createBackup } from "../../../src/core/identity/backup.ts";
import type { Did } from "../../../src/core/identity/did-key.ts";
import { FileKeystore } from "../../../src/core/identity/keystore-file-node.ts";
import { memberKex } from "../../../src/core/privacy/member-keys.ts";
import { heldMemberKex } from "../../../src/core/privacy/stored-kex.ts";
import { aliceBackupV1 } from "../../fixtures/backup-v1.ts";
import { EDGEPOOL_BIN, edgepoolProcess as edgepool, type ProcessRun as Run } from "../../fixtures/cli-processes.ts";
import { alice, bob } from "../../fixtures/identities.ts";

// Each run of the real CLI costs ~1-3 s of start-up on a loaded machine and each scrypt ~1.5 s,
// so the tests share one exported identity and read files where a run would only repeat a check.

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`), typing one answer after each passphrase
 * prompt appears, as a person would.
 */
function edgepoolOnTerminal(args: string[], answers: string[]): Promise<Run> {
  const command = [process.execPath, EDGEPOOL_BIN, ...args].map((word) => `'${word}'`).join(" ");
  const child = spawn("script", ["-qec", command, "/dev/null"], { env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("EDGEPOOL_"))) });
  let output = "";
  let answered = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
    const prompts = output.match(/passphrase: /gi)?.length ?? 0;
    while (answered < prompts && answered < answers.length) child.stdin.write(answers[answered++] + "\r");
  });
  const timer = setTimeout(() => child.kill(), 60_000);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: output, stderr: "" });
    });
  });
}

const passphrase = { EDGEPOOL_PASSPHRASE: "integration test passphrase" };
const storedDid = async (home: string) => JSON.parse(await readFile(join(home, "identity.json"), "utf8")).did as string;
/** The key-agreement key a home keeps for `did` (what its private-pool commands use before the seed-derived one), in hex. */
const keptKex = async (home: string, did: string) => {
  const held = await heldMemberKex(new NodeFSStorageAdapter(join(home, "automerge")), did as Did);
  return held && bytesToHex(held.publicKey);
};

let root: string;
const home = (name: string) => join(root, name);
/** alice's node: created and exported once (the backup is "a.backup.json"). */
let did: string;
let backup: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "edgepool-cli-identity-"));
  const first = await edgepool(["id", "--home", home("a")]);
  expect(first.code).toBe(0);
  expect(first.stderr).toMatch(/Created a new identity/);
  did = first.stdout.trim();
  backup = join(root, "a.backup.json");
  const exported = await edgepool(["id", "export", "--home", home("a"), "--out", backup, "--json"], passphrase);
  expect(exported.code, exported.stderr).toBe(0);
  expect(JSON.parse(exported.stdout)).toEqual({ schemaVersion: 1, did, file: backup, verified: true });
}, 120_000);
afterAll(() => rm(root, { recursive: true, force: true }));

describe("edgepool id", () => {
  it("prints the same did:key:z6Mk… on every run, silently after the first", async () => {
    expect(did).toMatch(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/);
    expect(await edgepool(["id", "--home", home("a")])).toEqual({ code: 0, stdout: `${did}\n`, stderr: "" });
    const json = await edgepool(["id", "--json"], { EDGEPOOL_HOME: home("a") });
    expect(JSON.parse(json.stdout)).toEqual({ schemaVersion: 1, did, home: home("a"), created: false });
  });

  it("exits 4 on a damaged identity file and leaves it untouched", async () => {
    await mkdir(home("damaged"), { mode: 0o700 });
    const path = join(home("damaged"), "identity.json");
    await writeFile(path, "{ not json", { mode: 0o600 });
    const run = await edgepool(["id", "--home", home("damaged")]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/identity\.json is damaged \(not JSON\).*restore the identity from a backup/);
    expect(await readFile(path, "utf8")).toBe("{ not json");
  });
});

describe("edgepool did resolve", () => {
  it("fails cleanly on did:key:xyz: exit 1, one line on stderr, nothing on stdout", async () => {
    const run = await edgepool(["did", "resolve", "did:key:xyz"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/cannot resolve "did:key:xyz": .*base58btc/);
  });

  it("exits 2 without a DID, and prints the DID document of a node's DID", async () => {
    const [missing, run] = await Promise.all([edgepool(["did", "resolve"]), edgepool(["did", "resolve", did])]);
    expect(missing.code).toBe(2);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.id).toBe(did);
    expect(doc.keyAgreement[0].publicKeyMultibase).toMatch(/^z6LS/);
  });
});

describe("edgepool id export / import", () => {
  it("round-trips the identity to a second home through a 0600 backup naming its DID", async () => {
    expect((await stat(backup)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(backup, "utf8")).did).toBe(did);
    const imported = await edgepool(["id", "import", backup, "--home", home("b")], passphrase);
    expect(imported).toMatchObject({ code: 0, stdout: `${did}\n` });
    expect(await storedDid(home("b"))).toBe(did);
    // The key-agreement key travels too: a CLI node's is derived from its seed.
    const read = await new FileKeystore(home("a")).read();
    expect(await keptKex(home("b"), did)).toBe(read.ok && bytesToHex(memberKex(read.stored!.seed).publicKey));
  });

  it("keeps an app backup's own key-agreement key, and says what to do with a version 1 backup that has none", async () => {
    // The app's key is random, not the seed's: the CLI must use the one the backup carries.
    const appKex = randomBytes(32);
    const appBackup = join(root, "app.backup.json");
    await writeFile(appBackup, await createBackup({ seed: bob.seed, kex: appKex }, passphrase.EDGEPOOL_PASSPHRASE, { kdf: { N: 1024, r: 8, p: 1 } }));
    const v1 = join(root, "v1.backup.json");
    await writeFile(v1, aliceBackupV1);
    const [fromApp, old] = await Promise.all([
      edgepool(["id", "import", appBackup, "--home", home("app"), "--json"], passphrase),
      edgepool(["id", "import", v1, "--home", home("v1"), "--json"], { EDGEPOOL_PASSPHRASE: "correct horse battery staple" }),
    ]);
    expect(fromApp.code, fromApp.stderr).toBe(0);
    expect(JSON.parse(fromApp.stdout)).toMatchObject({ did: bob.did, memberKey: true });
    expect(await keptKex(home("app"), bob.did)).toBe(bytesToHex(kexKeyPairFromSecret(appKex).publicKey));
    expect(old.code, old.stderr).toBe(0);
    expect(JSON.parse(old.stdout)).toMatchObject({ did: alice.did, memberKey: false });
    expect(old.stderr).toMatch(/carries no key-agreement key.*rejoin them with a new invite link/s);
    expect(await keptKex(home("v1"), alice.did)).toBeUndefined();
  });

  it("will not overwrite an existing backup file without --force", async () => {
    const again = await edgepool(["id", "export", "--home", home("a"), "--out", backup], passphrase);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists.*--force/);
  });

  it("fails on a wrong passphrase with exit 1 and says so, creating nothing; exit 2 without one", async () => {
    const [wrong, missing] = await Promise.all([
      edgepool(["id", "import", backup, "--home", home("w")], { EDGEPOOL_PASSPHRASE: "not the passphrase" }),
      edgepool(["id", "import", backup, "--home", home("w")]),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/wrong passphrase/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/set EDGEPOOL_PASSPHRASE/);
    await expect(stat(join(home("w"), "identity.json"))).rejects.toThrow(/ENOENT/);
  });

  it("asks for the passphrase twice on a terminal without echoing it, and the backup opens with it", async () => {
    const file = join(root, "terminal.backup.json");
    const run = await edgepoolOnTerminal(["id", "export", "--home", home("a"), "--out", file], ["typed on a terminal", "typed on a terminal"]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/Backup passphrase: .*Repeat the passphrase: .*verified/s);
    expect(run.stdout).not.toContain("typed on a terminal");
    const check = await edgepool(["id", "import", file, "--dry-run", "--home", home("a")], { EDGEPOOL_PASSPHRASE: "typed on a terminal" });
    expect(check).toMatchObject({ code: 0, stdout: `${did}\n` });
  });

  it("refuses to replace a different identity without --force, and keeps the old one with it", async () => {
    const other = (await edgepool(["id", "--home", home("y")])).stdout.trim();
    const refused = await edgepool(["id", "import", backup, "--home", home("y")], passphrase);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`already holds another identity, ${other}`);
    expect(await storedDid(home("y"))).toBe(other);

    const forced = await edgepool(["id", "import", backup, "--force", "--home", home("y"), "--json"], passphrase);
    expect(forced.code).toBe(0);
    const result = JSON.parse(forced.stdout);
    expect(result).toMatchObject({ schemaVersion: 1, did, imported: true });
    expect(await readFile(result.replacedPath, "utf8")).toContain(other);
    expect(await storedDid(home("y"))).toBe(did);
  });
});

it("prints the usage of each identity command with --help", async () => {
  const commands = [["id"], ["id", "export"], ["id", "import"], ["did", "resolve"]];
  const runs = await Promise.all(commands.map((words) => edgepool([...words, "--help"])));
  runs.forEach((run, i) => {
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`usage: edgepool ${commands[i]!.join(" ")}`);
  });
});
