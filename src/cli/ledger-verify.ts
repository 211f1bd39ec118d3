/** `edgepool ledger verify --pool P`: re-validates the pool's ledger from genesis. */
import { automergeDir, verifyHomeLedger } from "../core/ledger/home-node.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { HOME_USAGE, homeOption, resolveHome } from "./home.ts";
import { poolArgument } from "./pool-ledger.ts";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { Keyring } from "../core/privacy/keyring.ts";
import { verifyPrivateHome } from "./private-session.ts";

export const ledgerVerify: Command = {
  usage: [
    "usage: edgepool ledger verify --pool P [--json] [--home DIR]",
    "",
    "Re-validates every entry of every epoch stored under DIR from genesis, folds them, and checks",
    "that every checkpoint and every epoch's starting snapshot match that fold. For a private pool:",
    "every entry sealed in the documents of every key epoch this node's keys reach, and each sealed start.",
    "",
    "  --pool P       the pool id",
    HOME_USAGE,
    '  --json         print {"schemaVersion":1, "pool", "consistent", "problems", "epochs", "entries", "refused"}',
    "",
    "Exit codes: 0 consistent, 1 inconsistent (each problem on stderr) or no ledger, 2 usage.",
  ].join("\n"),
  options: { ...homeOption, pool: { type: "string" }, json: { type: "boolean" } },
  async run(args, io) {
    const pool = poolArgument(args, ledgerVerify.usage);
    const home = resolveHome(args, io);
    const now = Date.now();
    // A private pool's entries are in its sealed documents, one per key epoch (docs/privacy.md).
    const sealed = await Keyring.holds(new NodeFSStorageAdapter(automergeDir(home)), pool);
    const verified = sealed ? { ok: true as const, report: await verifyPrivateHome(home, pool, () => now) } : await verifyHomeLedger(home, pool, () => now);
    if (!verified.ok) throw new CliError(verified.message, ExitCode.error);
    const { report } = verified;
    const consistent = report.problems.length === 0;
    const facts = { epochs: report.epochs + 1, entries: report.fold.state.count, refused: report.refused + report.fold.rejected.size };
    if (args.values.json) io.out(JSON.stringify({ schemaVersion: 1, pool, consistent, problems: report.problems, ...facts }));
    else io.out(`${consistent ? "consistent" : "INCONSISTENT"}: ${facts.entries} valid entries in ${facts.epochs} epoch(s), ${facts.refused} refused`);
    for (const problem of report.problems) io.err(`problem: ${problem}`);
    return consistent ? ExitCode.ok : ExitCode.error;
  },
};
