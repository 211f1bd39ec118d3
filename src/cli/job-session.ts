/**
 * A node for the job commands: the pool's ledger opened by the pool commands' helper (identity,
 * file storage under --home, relay), this member's delegation as proof, and createNode on top.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { EntryId } from "../core/ledger/types.ts";
import { createNode, type ContributeOptions, type EdgeNode } from "../core/node.ts";
import { bundledTasks } from "../core/node-node.ts";
import { nodeBlobCipher } from "../core/crypto/aes-gcm-node.ts";
import type { CliIo, ParsedArgs } from "./command.ts";
import { startDirect } from "./direct-peers.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { openPool, ownProof, poolArgument, requirePool, type PoolSession } from "./pool-ledger.ts";
import { ownDelegation } from "../core/ledger/own-delegation.ts";
import { printable } from "./run.ts";

export interface JobSession {
  readonly session: PoolSession;
  readonly node: EdgeNode;
  close(): Promise<void>;
}

/**
 * `reader`: the node only reads (a job's result, the job list): it signs nothing, so it needs no
 * writer role and runs beside `edgepool work`, and a non-member may open it too: an open pool's
 * outputs are public, and an anonymous submitter is no member. A non-member opens no direct
 * connections (their hello is signed with this node's DID).
 */
export async function openJobNode(args: ParsedArgs, io: CliIo, usage: string, contribute?: ContributeOptions, reader = false): Promise<JobSession> {
  const session = await openPool(args, io, poolArgument(args, usage), { readOnly: reader });
  const member = !reader || ownDelegation(session.ledger, session.identity.did).ok;
  const direct = member ? startDirect(args, session, io) : undefined;
  try {
    requirePool(session);
    const proof = member ? ownProof(session) : undefined;
    const tasks = (await bundledTasks()).map((t) => t.bytes);
    const node = await createNode({ identity: session.identity, ledger: session.ledger, ...(session.privacy ? { privacy: session.privacy, blobCipher: nodeBlobCipher } : {}), proof: () => proof, tasks, direct, readOnly: reader, ...(contribute ? { contribute } : {}) });
    return {
      session,
      node,
      async close() {
        await node.close();
        await session.close();
      },
    };
  } catch (error) {
    direct?.close();
    await session.close();
    throw error;
  }
}

/** A task by name (public/tasks) or by path to a .wasm file. */
export async function resolveTask(nameOrFile: string): Promise<Uint8Array> {
  const bundled = (await bundledTasks()).find((t) => t.name === nameOrFile);
  if (bundled) return bundled.bytes;
  try {
    return new Uint8Array(await readFile(nameOrFile));
  } catch (error) {
    const names = (await bundledTasks()).map((t) => t.name).join(", ");
    throw new CliError(`--task ${JSON.stringify(nameOrFile)} is neither a built-in task (${names}) nor a readable file: ${(error as Error).message}`, ExitCode.usage);
  }
}

/** Prints a job's output (UTF-8 as text, else hex) or writes it to `out`; `--json` carries the same facts. */
export async function emitOutput(io: CliIo, job: EntryId, bytes: Uint8Array, out: string | undefined, json: boolean): Promise<void> {
  if (out) await writeFile(out, bytes);
  const shown = printable(bytes);
  if (json) io.out(JSON.stringify({ schemaVersion: 1, job, status: "done", output: out ? { file: out } : shown }));
  else if (!out) io.out("utf8" in shown ? shown.utf8.replace(/\n$/, "") : shown.hex);
  else io.err(`Wrote ${bytes.length} bytes to ${out}.`);
}
