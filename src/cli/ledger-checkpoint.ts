/**
 * `edgepool ledger checkpoint --pool P`: makes the pool's history up to a moment ago final.
 * `edgepool ledger compact --pool P`: the same checkpoint, naming the next epoch: every node moves
 * to a new document that starts from it (ledger/README.md 9), so start-up stops growing with history.
 */
import { writeCheckpoint, CHECKPOINT_SETTLE_MS, type CheckpointOutcome } from "../core/ledger/checkpoint-writer.ts";
import type { Rejection } from "../core/ledger/types.ts";
import type { Author } from "../core/ledger/writer.ts";
import { compactPrivatePool } from "../core/privacy/private-epochs.ts";
import type { PrivateLedger } from "../core/privacy/private-ledger.ts";
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
  "Exit codes: 0 written, 1 error (nothing new to cover), 2 usage, 4 you may not checkpoint.",
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
  "In a private pool it also rotates the key: the new key's document begins the epoch (docs/privacy.md);",
  "the root's running node compacts a private pool on its own by the same rule.",
  "",
  "  --pool P       the pool id",
  ...POOL_USAGE,
  '  --json         print {"schemaVersion":1,"pool","checkpoint","through","count","epoch"}',
  "",
  "Exit codes: 0 written, 1 error (nothing new to cover), 2 usage, 4 you may not checkpoint.",
].join("\n");

async function checkpoint(session: PoolSession, args: ParsedArgs, io: CliIo, compact: boolean): Promise<ExitCode> {
  const { ledger, pool, privacy } = session;
  const proof = ownProof(session);
  // A restarting node trusts only root-signed starts (epochs.ts, trustPoolRoot).
  if (compact && proof !== undefined) throw new CliError("only the pool's root can compact: nodes start from an epoch only when its checkpoint is the root's", ExitCode.noPermission);
  const epoch = compact ? (ledger.state.checkpoint?.epoch ?? 0) + 1 : undefined;
  const written =
    compact && privacy ? await compactPrivate(privacy, session.identity) : await writeCheckpoint(ledger, session.identity, Date.now(), proof === undefined ? [] : [proof], CHECKPOINT_SETTLE_MS, epoch);
  if (!written.ok) throw refusedWrite(written);
  if (epoch !== undefined && !privacy) {
    const started = await startNextEpoch(ledger, written.id);
    if (!started.ok) throw new CliError(`the checkpoint ${written.id} was written but epoch ${epoch} did not start here: ${started.reason}: ${started.message}`);
  }
  if (!(await session.sync())) io.err("Written on this node; it reaches the pool when this node next syncs with a peer or relay.");
  const through = new Date(written.through).toISOString();
  const json = { schemaVersion: 1, pool, checkpoint: written.id, through: written.through, count: written.count, ...(epoch === undefined ? {} : { epoch }) };
  io.out(args.values.json ? JSON.stringify(json) : `${written.id} (final through ${through}, ${written.count} entries${epoch === undefined ? "" : `; epoch ${epoch} starts here`})`);
  return ExitCode.ok;
}

/** A private pool compacts with a key rotation whose document carries the sealed start (private-epochs.ts); the node has moved when it returns. */
async function compactPrivate(node: PrivateLedger, root: Author): Promise<CheckpointOutcome | ({ ok: false } & Rejection)> {
  const done = await compactPrivatePool({ node, author: root, time: Date.now() });
  return done.ok ? { ok: true, id: done.checkpoint, through: done.through, count: done.count } : done;
}

export const ledgerCheckpoint = poolWriteCommand({ usage: checkpointUsage, act: (session, args, io) => checkpoint(session, args, io, false) });

export const ledgerCompact = poolWriteCommand({ usage: compactUsage, act: (session, args, io) => checkpoint(session, args, io, true) });
