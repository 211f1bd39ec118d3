/**
 * `edgepool id export --out FILE`: writes a passphrase-encrypted backup of this node's identity,
 * then opens it again with the same passphrase before reporting success (UX.md 14: a backup is
 * verified, not just offered).
 */
import { lstat, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { stringOption, type Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { homeOption, HOME_USAGE } from "./home.ts";
import { keystoreError, keystoreFor } from "./identity-home.ts";
import { homeMemberKex } from "./member-kex-home.ts";
import { PASSPHRASE_USAGE, readPassphrase } from "./passphrase.ts";
import { createBackup, decryptBackup } from "../core/identity/backup.ts";
import { writeFileAtomic, type AtomicWriteOutcome } from "../core/identity/atomic-file-node.ts";

export const idExport: Command = {
  usage: [
    "usage: edgepool id export --out FILE [--force] [--home DIR] [--json]",
    "",
    "Encrypts this node's key and its key-agreement key (private pools' lockboxes are wrapped",
    "for it) under a passphrase (scrypt + XChaCha20-Poly1305; format in docs/identity.md) and",
    "writes them to FILE (mode 0600), then checks that it opens.",
    PASSPHRASE_USAGE,
    "",
    "  --out FILE     where to write the backup (required)",
    "  --force        overwrite FILE if it exists",
    HOME_USAGE,
    '  --json         print {"schemaVersion":1,"did","file","verified"} on stdout',
    "",
    "Exit codes: 0 written and verified, 1 error, 2 usage (no --out, no passphrase),",
    "4 no identity yet (run `edgepool id`) or its file is unreadable.",
  ].join("\n"),
  options: { ...homeOption, out: { type: "string" }, force: { type: "boolean" }, json: { type: "boolean" } },
  async run(args, io) {
    const out = stringOption(args, "out");
    if (out === undefined || args.positionals.length > 0) throw new CliError(`--out FILE is required\n${idExport.usage}`, ExitCode.usage);
    const file = resolve(out);
    const force = args.values.force === true;
    const keystore = keystoreFor(args, io);
    const read = await keystore.read();
    if (!read.ok) throw keystoreError(read);
    if (!read.stored) throw new CliError(`no identity in ${keystore.home} yet: run \`edgepool id\` to create one`, ExitCode.noPermission);
    const exists = new CliError(`${file} already exists; choose another --out or pass --force to overwrite it`);
    if (!force && (await pathExists(file))) throw exists; // before asking for a passphrase and running scrypt
    const passphrase = await readPassphrase(io, { confirm: true });
    const { seed, identity } = read.stored;
    const kex = await homeMemberKex(keystore.home, identity.did, seed);
    const text = await createBackup({ seed, kex: kex.secretKey }, passphrase);
    if ((await writeBackup(file, text, force)) === "exists") throw exists;
    const check = await decryptBackup(await readFile(file, "utf8"), passphrase);
    if (!check.ok || check.did !== identity.did) {
      throw new CliError(`the backup written to ${file} does not open again (${check.ok ? "another DID" : check.message}); do not rely on it`);
    }
    const { did } = identity;
    io.err(`Wrote the encrypted backup of ${did} to ${file} and verified that it opens with this passphrase.`);
    if (args.values.json) io.out(JSON.stringify({ schemaVersion: 1, did, file, verified: true }));
    return ExitCode.ok;
  },
};

async function writeBackup(file: string, text: string, overwrite: boolean): Promise<AtomicWriteOutcome> {
  try {
    return await writeFileAtomic(file, text, { overwrite });
  } catch (error) {
    throw new CliError(`cannot write ${file}: ${(error as Error).message}`);
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
