/** `edgepool rotate --pool P`: starts a new key epoch of a private pool. */
import { rotateKey } from "../core/privacy/rotation.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { poolWriteCommand, refusedWrite } from "./pool-command.ts";
import { ownProof, POOL_USAGE } from "./pool-ledger.ts";

const usage = [
  "usage: edgepool rotate --pool P [--relay URL] [--json]",
  "",
  "Starts a new key epoch of private pool P: a fresh key, wrapped for every current member (and",
  "every invite link that can still admit someone), and a new document that only its holders can find. `revoke`",
  "rotates by itself; rotate by hand when a device may have leaked its keys. Needs pool/admin.",
  "",
  "  --pool P       the pool id",
  ...POOL_USAGE,
  '  --json         print {"schemaVersion":1,"pool","epoch","withoutKex":[DID]}',
  "",
  "Exit codes: 0 rotated, 1 error (not a private pool here, or its latest key is not on this node), 2 usage,",
  "4 you may not rotate.",
].join("\n");

export const rotate = poolWriteCommand({
  usage,
  async act(session, args, io) {
    const { pool } = session;
    if (!session.privacy) throw new CliError(`pool ${pool} is not private on this node (it holds no key of it)`, ExitCode.error);
    const rotated = await rotateKey({ node: session.privacy, author: session.identity, proof: ownProof(session), time: Date.now() });
    if (!rotated.ok) throw refusedWrite(rotated);
    if (!(await session.sync())) io.err("Rotated on this node; members learn the new key when this node next syncs with a relay (--relay URL).");
    io.err(`Rotated pool ${pool} to key epoch ${rotated.epoch}.`);
    for (const did of rotated.withoutKex) io.err(`  ${did} published no key-agreement key and cannot read on; it should rejoin.`);
    io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, pool, epoch: rotated.epoch, withoutKex: rotated.withoutKex }) : String(rotated.epoch));
    return ExitCode.ok;
  },
});
