/**
 * The CLI's side of the writer role (core/identity/writer-lock-node.ts): a command that signs
 * entries as this node's identity in a pool takes the pool's role in the identity's directory
 * first, and fails fast (exit 6) while another live process holds it, saying which and what to do.
 */
import type { PoolId } from "../core/capability/pool.ts";
import { claimWriterLock, writerLockPath } from "../core/identity/writer-lock-node.ts";
import { describeHolder, type HeldWriterRole, type WriterHolder } from "../core/identity/writer-role.ts";
import type { CliIo } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";

function heldMessage(holder: WriterHolder, path: string): string {
  const what = holder.command !== undefined ? `\`edgepool ${holder.command}\` (pid ${holder.pid})` : `the process with pid ${holder.pid}`;
  return [
    `another EdgePool process writes as this identity in this pool: ${describeHolder(holder)}.`,
    "Two writers would sign entries with the same sequence number, which the pool punishes as equivocation (suspension, credits lost).",
    `Stop ${what} first, or wait until it ends; read-only commands (ledger show, jobs, members, peers) work meanwhile.`,
    `If no such process is EdgePool, delete ${path}.`,
  ].join("\n");
}

/** Takes this identity's writer role in `pool` for the command's lifetime; release it after the session closed. */
export async function claimWriterRole(home: string, pool: PoolId, io: CliIo): Promise<HeldWriterRole> {
  const claim = await claimWriterLock(home, pool, io.command !== undefined ? { command: io.command } : {});
  if (claim.ok) {
    if (claim.tookOver) io.err(`Took over the writer lock left by ${describeHolder(claim.tookOver)}: that process is gone.`);
    return claim.role;
  }
  throw new CliError(claim.reason === "held" ? heldMessage(claim.holder, writerLockPath(home, pool)) : claim.message, ExitCode.identityInUse);
}
