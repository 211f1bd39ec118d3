/** `edgepool ledger checkpoint --pool P`: makes the pool's history up to a moment ago final. */
import { writeCheckpoint } from "../core/ledger/checkpoint-writer.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { openPool, ownProof, poolArgument, poolOptions, POOL_USAGE } from "./pool-ledger.ts";

const usage = [
  "usage: edgepool ledger checkpoint --pool P [--relay URL] [--json]",
  "",
  "Writes a checkpoint of pool P: a commitment to everything this node has folded up to two minutes",
  "ago. History it covers is final on every node: an entry dated before it that it does not cover",
  "(a late revocation, a join dated back before an expired invite's deadline) is refused. Run it",
  "after an invite's deadline to close the invite for good. Needs ledger/checkpoint (the root has it).",
  "A running node holding it (`edgepool work`, the app) also writes checkpoints on its own.",
  "",
  "  --pool P       the pool id",
  ...POOL_USAGE,
  '  --json         print {"schemaVersion":1,"pool","checkpoint","through","count"}',
  "",
  "Exit codes: 0 written, 1 error (nothing new to cover, or private pool), 2 usage, 4 you may not checkpoint.",
].join("\n");

export const ledgerCheckpoint: Command = {
  usage,
  options: { ...poolOptions, pool: { type: "string" }, json: { type: "boolean" } },
  async run(args, io) {
    const pool = poolArgument(args, usage);
    const session = await openPool(args, io, pool);
    try {
      if (session.privacy) throw new CliError("this pool is private: private pools have no checkpoints yet", ExitCode.error);
      const proof = ownProof(session);
      const written = await writeCheckpoint(session.ledger, session.identity, Date.now(), proof === undefined ? [] : [proof]);
      if (!written.ok) throw new CliError(`${written.reason}: ${written.message}`, written.reason === "not-authorised" ? ExitCode.noPermission : ExitCode.error);
      if (!(await session.sync())) io.err("Written on this node; it reaches the pool when this node next syncs with a peer or relay.");
      const through = new Date(written.through).toISOString();
      io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, pool, checkpoint: written.id, through: written.through, count: written.count }) : `${written.id} (final through ${through}, ${written.count} entries)`);
      return ExitCode.ok;
    } finally {
      await session.close();
    }
  },
};
