/**
 * The skeleton of a command that writes to one pool as this node's identity (`ledger checkpoint`
 * and `compact`, `rotate`, `revoke`): `--pool P` with the pool options and `--json`, the pool's
 * session open while the command acts and closed whatever happens, and one mapping of a refused
 * write to an exit code.
 */
import type { Command, CliIo, ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { openPool, poolArgument, poolOptions, type PoolSession } from "./pool-ledger.ts";

export interface PoolWrite {
  readonly usage: string;
  /** Checks the other arguments before the pool opens (opening may wait for a relay). */
  readonly check?: (args: ParsedArgs) => void;
  act(session: PoolSession, args: ParsedArgs, io: CliIo): Promise<ExitCode>;
}

export function poolWriteCommand({ usage, check, act }: PoolWrite): Command {
  return {
    usage,
    options: { ...poolOptions, pool: { type: "string" }, json: { type: "boolean" } },
    async run(args, io) {
      const pool = poolArgument(args, usage);
      check?.(args);
      const session = await openPool(args, io, pool);
      try {
        return await act(session, args, io);
      } finally {
        await session.close();
      }
    },
  };
}

/** A write the pool refused, as the CLI's error: refused for want of authority, it exits 4. */
export function refusedWrite(refusal: { reason: string; message: string }, otherwise: ExitCode = ExitCode.error): CliError {
  const denied = refusal.reason === "not-authorised" || refusal.reason === "escalation";
  return new CliError(`${refusal.reason}: ${refusal.message}`, denied ? ExitCode.noPermission : otherwise);
}
