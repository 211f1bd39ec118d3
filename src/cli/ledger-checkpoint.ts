/**
 * `edgepool ledger checkpoint --pool P`: makes the pool's history up to a moment ago final.
 * `edgepool ledger compact --pool P`: the same checkpoint, naming the next epoch: every node moves
 * to a new document that starts from it (ledger/README.md 9), so start-up stops growing with history.
 */
import { writeCheckpoint, CHECKPOINT_SETTLE_MS } from "../core/ledger/checkpoint-writer.ts";
import { startNextEpoch } from "../core/ledger/epochs.ts";
import type { CliIo, ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { poolWriteCommand, refusedWrite } from "./pool-command.ts";
import { ownProof, POOL_USAGE, type PoolSession } from "./pool-ledger.ts";

const checkpointUsage = [
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

const compactUsage = [
  "usage: edgepool ledger compact --pool P [--relay URL] [--json]",
  "",
  "Writes a checkpoint of pool P (as `edgepool ledger checkpoint`) that also starts the pool's next",
  "epoch: a new ledger document holding the checkpoint, the state it commits to and only the entries",
  "after it. Every node moves there when the checkpoint reaches it (running ones without a restart),",
  "so a node's start-up reads the new document only. Older epochs stay for `edgepool ledger verify`.",
  "A running node holding ledger/checkpoint also does this on its own once an epoch holds 20,000",
  "entries or 8 MiB. Only the pool's root (nodes start from an epoch only when the root signed its start).",
  "",
  "  --pool P       the pool id",
  ...POOL_USAGE,
  '  --json         print {"schemaVersion":1,"pool","checkpoint","through","count","epoch"}',
  "",
  "Exit codes: 0 written, 1 error (nothing new to cover, or private pool), 2 usage, 4 you may not checkpoint.",
].join("\n");

async function checkpoint(session: PoolSession, args: ParsedArgs, io: CliIo, compact: boolean): Promise<ExitCode> {
  if (session.privacy) throw new CliError("this pool is private: private pools have no checkpoints yet", ExitCode.error);
  const { ledger, pool } = session;
  const proof = ownProof(session);
  // A restarting node trusts only root-signed starts (epochs.ts, trustPoolRoot).
  if (compact && proof !== undefined) throw new CliError("only the pool's root can compact: nodes start from an epoch only when its checkpoint is the root's", ExitCode.noPermission);
  const epoch = compact ? (ledger.state.checkpoint?.epoch ?? 0) + 1 : undefined;
  const written = await writeCheckpoint(ledger, session.identity, Date.now(), proof === undefined ? [] : [proof], CHECKPOINT_SETTLE_MS, epoch);
  if (!written.ok) throw refusedWrite(written);
  if (epoch !== undefined) {
    const started = await startNextEpoch(ledger, written.id);
    if (!started.ok) throw new CliError(`the checkpoint ${written.id} was written but epoch ${epoch} did not start here: ${started.reason}: ${started.message}`);
  }
  if (!(await session.sync())) io.err("Written on this node; it reaches the pool when this node next syncs with a peer or relay.");
  const through = new Date(written.through).toISOString();
  const json = { schemaVersion: 1, pool, checkpoint: written.id, through: written.through, count: written.count, ...(epoch === undefined ? {} : { epoch }) };
  io.out(args.values.json ? JSON.stringify(json) : `${written.id} (final through ${through}, ${written.count} entries${epoch === undefined ? "" : `; epoch ${epoch} starts here`})`);
  return ExitCode.ok;
}

export const ledgerCheckpoint = poolWriteCommand({ usage: checkpointUsage, act: (session, args, io) => checkpoint(session, args, io, false) });

export const ledgerCompact = poolWriteCommand({ usage: compactUsage, act: (session, args, io) => checkpoint(session, args, io, true) });
