/** `edgepool id import FILE`: restores an identity from a passphrase-encrypted backup. */
import { readFile, stat } from "node:fs/promises";
import type { Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { homeOption, HOME_USAGE } from "./home.ts";
import { keystoreError, keystoreFor } from "./identity-home.ts";
import { restoreHomeMemberKex } from "./member-kex-home.ts";
import { PASSPHRASE_USAGE, readPassphrase } from "./passphrase.ts";
import { openBackup, readBackup } from "../core/identity/backup.ts";

const MAX_BACKUP_FILE_BYTES = 64 * 1024; // a backup is ~500 bytes: do not read a huge file to find out

/** What a restored node must do when the backup predates key-agreement keys. */
export const NO_MEMBER_KEY =
  "This backup (version 1) carries no key-agreement key, so this node uses the one derived from the seed. That is the key a CLI node published; " +
  "if this identity was made in the app, its private pools' new keys do not reach this node: rejoin them with a new invite link, " +
  "or restore the identity in the app, which publishes its new key (member.rekey).";
export const idImport: Command = {
  usage: [
    "usage: edgepool id import FILE [--force] [--dry-run] [--home DIR] [--json]",
    "",
    "Decrypts the backup in FILE, checks that its key is the DID it names, and makes it this",
    "node's identity, with the key-agreement key it carries (private pools' lockboxes are",
    "wrapped for it; a version 1 backup has none: see docs/identity.md). An existing different",
    "identity is never replaced without --force; with --force it is kept beside the new one as",
    "DIR/identity.replaced-<time>.json.",
    PASSPHRASE_USAGE,
    "",
    "  --force        replace a different identity already in DIR",
    "  --dry-run      only check that FILE opens with the passphrase; change nothing",
    HOME_USAGE,
    '  --json         print {"schemaVersion":1,"did","imported","replacedPath","memberKey"} on stdout',
    "                 (memberKey: whether the backup carries a key-agreement key)",
    "",
    "Exit codes: 0 imported (or already this identity), 1 error (wrong passphrase, damaged",
    "backup, a different identity without --force), 2 usage (no FILE, no passphrase),",
    "4 the existing identity file is unreadable.",
  ].join("\n"),
  options: { ...homeOption, force: { type: "boolean" }, "dry-run": { type: "boolean" }, json: { type: "boolean" } },
  async run(args, io) {
    const [path, ...extra] = args.positionals;
    if (path === undefined || extra.length > 0) throw new CliError(`expected one backup FILE\n${idImport.usage}`, ExitCode.usage);
    const sealed = readBackup(await readBackupFile(path));
    if (!sealed.ok) throw new CliError(`${path}: ${sealed.message}`);
    const dryRun = args.values["dry-run"] === true;
    const force = args.values.force === true;
    const keystore = keystoreFor(args, io);
    const current = await keystore.read();
    if (!current.ok && !(force && current.reason === "corrupt")) throw keystoreError(current);
    const existing = current.ok ? current.stored?.identity.did : undefined;
    if (!dryRun && !force && existing !== undefined && existing !== sealed.backup.did) {
      throw new CliError(`${keystore.home} already holds another identity, ${existing}; export it first, then import with --force to replace it`);
    }
    const opened = await openBackup(sealed.backup, await readPassphrase(io, { confirm: false }));
    if (!opened.ok) throw new CliError(`${path}: ${opened.message}`);
    if (dryRun) {
      io.err(`${path} opens with this passphrase: it is the backup of ${opened.did}${opened.kex ? " and its key-agreement key" : ""}. Nothing was changed.`);
      io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, did: opened.did, imported: false, replacedPath: undefined, memberKey: opened.kex !== undefined }) : opened.did);
      return ExitCode.ok;
    }
    const stored = await keystore.store(opened.seed, { replace: force });
    if (!stored.ok) throw keystoreError(stored);
    io.err(stored.created ? `Imported ${opened.did} into ${keystore.path}.` : `${keystore.path} already holds ${opened.did}; nothing to change.`);
    if (stored.replacedPath) io.err(`The identity it replaced, ${existing ?? "(unreadable)"}, is kept in ${stored.replacedPath}.`);
    if (opened.kex) await restoreHomeMemberKex(keystore.home, opened.did, opened.kex);
    else io.err(NO_MEMBER_KEY);
    io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, did: opened.did, imported: stored.created, replacedPath: stored.replacedPath, memberKey: opened.kex !== undefined }) : opened.did);
    return ExitCode.ok;
  },
};

async function readBackupFile(path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError(`${path} is not a file`);
    if (info.size > MAX_BACKUP_FILE_BYTES) throw new CliError(`${path} is ${info.size} bytes: not an EdgePool identity backup`);
    return await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
}
