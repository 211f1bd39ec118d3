/** `edgepool revoke --pool P <did|link|token>`: revokes a member's delegation, an invite link, or a token. */
import { revocationTarget, revokeTarget } from "../core/ledger/membership.ts";
import { revokeAndRotate, type PrivateRevokeOutcome } from "../core/privacy/private-revocation.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { poolWriteCommand, refusedWrite } from "./pool-command.ts";
import { ownProof, POOL_USAGE, requirePool } from "./pool-ledger.ts";

const usage = [
  "usage: edgepool revoke --pool P TARGET [--relay URL] [--json]",
  "",
  "Revokes a delegation in pool P. TARGET is a member's DID (revokes the delegation it joined with;",
  "in an open pool, a stranger's DID removes the stranger, which only an admin may do),",
  "an invite link (no one can join with it any more, and everyone who joined with it loses access),",
  "or a delegation token. Everything resting on the delegation stops being valid: the affected",
  "members' entries this node has seen stay valid, every later one is refused, whatever time it claims.",
  "You must have issued the delegation or one it rests on (the pool's root can revoke anything).",
  "In a private pool, the revocation and a new key (wrapped for everyone else) go out together,",
  "so the removed member cannot read what is written after it; that needs pool/admin.",
  "",
  "  --pool P       the pool id",
  ...POOL_USAGE,
  '  --json         print {"schemaVersion":1,"pool","target","honoured":{DID: last valid sequence}}',
  "",
  "Exit codes: 0 revoked, 1 error, 2 usage or unknown target, 4 you may not revoke it.",
].join("\n");

export const revoke = poolWriteCommand({
  usage,
  check(args) {
    if (args.positionals.length !== 1) throw new CliError(`expected one TARGET\n${usage}`, ExitCode.usage);
  },
  async act(session, args, io) {
    const { pool } = session;
    requirePool(session);
    const target = revocationTarget(session.ledger, args.positionals[0]!);
    if (!target.ok) throw new CliError(target.message, ExitCode.usage);
    // Private pools are invite-only: every target there is a delegation.
    const revoked =
      session.privacy && "token" in target
        ? await revokeAndRotate(session.privacy, { author: session.identity, proof: ownProof(session) }, target.token, Date.now())
        : await revokeTarget(session.ledger, session.identity, target, Date.now());
    if (!revoked.ok) throw refusedWrite(revoked, ExitCode.usage);
    const { honoured } = revoked;
    if (revoked.already) {
      io.err("That is already revoked.");
      return ExitCode.ok;
    }
    if (!(await session.sync())) io.err("Revoked on this node; it reaches the pool when this node next syncs with a peer or relay.");
    const names = Object.entries(honoured).map(([did, seq]) => `${did} (entries up to ${seq} stay valid)`);
    io.err(`Revoked. Affected: ${names.length > 0 ? names.join("; ") : "nobody has used it yet"}.`);
    const rotation = "rotation" in revoked ? (revoked as PrivateRevokeOutcome).rotation : undefined;
    if (rotation) io.err(rotation.ok ? `Rotated the pool's key to epoch ${rotation.epoch}: whoever was removed cannot read what is written from now on.` : `The key was not rotated (${rotation.message}).`);
    io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, pool, target: revoked.target, honoured }) : revoked.target);
    return ExitCode.ok;
  },
});
