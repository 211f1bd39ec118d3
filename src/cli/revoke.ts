/** `edgepool revoke --pool P <did|link|token>`: revokes a member's delegation, an invite link, or a token. */
import { TokenVerifier, tokenHash, type TokenHash } from "../core/capability/chain.ts";
import { parseInviteLink } from "../core/capability/invite.ts";
import { checkRevoker, highestContiguous } from "../core/capability/revocation.ts";
import type { SignedEntry } from "../core/ledger/types.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { acceptedEntries, appendOwn, openPool, poolArgument, poolOptions, POOL_USAGE, requirePool, type PoolSession } from "./pool-ledger.ts";

const usage = [
  "usage: edgepool revoke --pool P TARGET [--relay URL] [--json]",
  "",
  "Revokes a delegation in pool P. TARGET is a member's DID (revokes the delegation it joined with),",
  "an invite link (no one can join with it any more, and everyone who joined with it loses access),",
  "or a delegation token. Everything resting on the delegation stops being valid: the affected",
  "members' entries this node has seen stay valid, every later one is refused, whatever time it claims.",
  "You must have issued the delegation or one it rests on (the pool's root can revoke anything).",
  "",
  "  --pool P       the pool id",
  ...POOL_USAGE,
  '  --json         print {"schemaVersion":1,"pool","target","honoured":{DID: last valid sequence}}',
  "",
  "Exit codes: 0 revoked, 1 error, 2 usage or unknown target, 4 you may not revoke it.",
].join("\n");

/** The delegation TARGET names. */
function resolveTarget(session: PoolSession, target: string): string {
  if (target.startsWith("did:")) {
    const join = acceptedEntries(session).find((e) => e.entry.kind === "member.join" && e.entry.author === target);
    const token = join === undefined ? undefined : delegationOf(session, join);
    if (token === undefined) throw new CliError(`${target} did not join pool ${session.pool} through an invite that this node has seen`, ExitCode.usage);
    return token;
  }
  if (target.includes("#/join/")) {
    const link = parseInviteLink(target);
    if (!link.ok) throw new CliError(link.message, ExitCode.usage);
    return link.invite.token;
  }
  if (target.split(".").length === 3) return target;
  throw new CliError(`TARGET must be a did:key, an invite link or a delegation token\n${usage}`, ExitCode.usage);
}

/** The delegation token an entry names by CID in its proof, if this node holds it. */
const delegationOf = (session: PoolSession, { entry }: SignedEntry): string | undefined => (entry.proof[0] === undefined ? undefined : session.ledger.token(entry.proof[0]));

/** Link hashes of a delegation chain, leaf first. */
function chainHashes(verifier: TokenVerifier, proof: string): TokenHash[] {
  const structure = verifier.structure(proof);
  const hashes: TokenHash[] = [];
  for (let node = structure.ok ? structure.verified : undefined; node; node = node.proofs[0]) hashes.push(node.hash);
  return hashes;
}

/** For each DID whose entries rest on the revoked delegation: its highest sequence with no gap below. */
function honouredSequences(session: PoolSession, revoked: TokenHash, verifier: TokenVerifier): Record<string, number> {
  const all = session.ledger.entries();
  const affected = new Set(
    all.filter((e) => {
      const token = delegationOf(session, e);
      return token !== undefined && chainHashes(verifier, token).includes(revoked);
    }).map((e) => e.entry.author),
  );
  const honoured: Record<string, number> = {};
  for (const did of [...affected].sort()) honoured[did] = highestContiguous(all.filter((e) => e.entry.author === did).map((e) => e.entry.seq), 1);
  return honoured;
}

export const revoke: Command = {
  usage,
  options: { ...poolOptions, pool: { type: "string" }, json: { type: "boolean" } },
  async run(args, io) {
    const pool = poolArgument(args, usage);
    if (args.positionals.length !== 1) throw new CliError(`expected one TARGET\n${usage}`, ExitCode.usage);
    const session = await openPool(args, io, pool);
    try {
      const genesis = requirePool(session);
      const token = resolveTarget(session, args.positionals[0]!);
      const verifier = new TokenVerifier();
      const allowed = await checkRevoker(token, session.identity.did, verifier);
      if (!allowed.ok) throw new CliError(`${allowed.reason}: ${allowed.message}`, allowed.reason === "escalation" ? ExitCode.noPermission : ExitCode.usage);
      const target = tokenHash(token);
      if (session.ledger.state.revocations[target]) {
        io.err("That delegation is already revoked.");
        return ExitCode.ok;
      }
      const honoured = honouredSequences(session, target, verifier);
      // History a checkpoint covers is final; before the first checkpoint the revocation reaches back to the pool's start.
      const checkpoint = session.ledger.state.checkpoint;
      const from = checkpoint ? checkpoint.through + 1 : genesis.created;
      const writer = session.ledger.writerFor(session.identity);
      await appendOwn(session, await writer.write("ucan.revoke", { target, token, honoured, from }, Date.now()));
      if (!(await session.sync())) io.err("Revoked on this node; it reaches the pool when this node next syncs with a peer or relay.");
      const names = Object.entries(honoured).map(([did, seq]) => `${did} (entries up to ${seq} stay valid)`);
      io.err(`Revoked. Affected: ${names.length > 0 ? names.join("; ") : "nobody has used it yet"}.`);
      io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, pool, target, honoured }) : target);
      return ExitCode.ok;
    } finally {
      await session.close();
    }
  },
};
