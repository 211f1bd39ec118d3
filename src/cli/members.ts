/** `edgepool members --pool P`: who is in the pool, with what abilities, and who was removed. */
import { acceptedEntries } from "../core/ledger/membership.ts";
import { isoTime } from "../core/capability/chain.ts";
import { TokenVerifier } from "../core/capability/chain.ts";
import type { Command } from "./command.ts";
import { ExitCode } from "./exit-codes.ts";
import { openPool, poolArgument, poolOptions, POOL_USAGE, requirePool, type PoolSession } from "./pool-ledger.ts";

const usage = [
  "usage: edgepool members --pool P [--relay URL] [--json]",
  "",
  "Lists the pool's members as this node's ledger has them: DID, abilities, since when, who invited",
  "them, and whether they were revoked.",
  "",
  "  --pool P       the pool id",
  ...POOL_USAGE,
  '  --json         print {"schemaVersion":1,"pool","name","root","members":[{"did","abilities","since","root","invitedBy","invite","revoked"}]}',
].join("\n");

interface MemberRow {
  did: string;
  abilities: string[];
  since: number;
  root: boolean;
  invitedBy?: string;
  invite?: string;
  revoked?: number;
}

/** Who issued the invite each member joined through (read from the proof of its member.join). */
function inviters(session: PoolSession): Map<string, string> {
  const verifier = new TokenVerifier();
  const found = new Map<string, string>();
  for (const { entry } of acceptedEntries(session.ledger)) {
    const cid = entry.kind === "member.join" ? entry.proof[0] : undefined;
    const proof = cid === undefined ? undefined : session.ledger.token(cid);
    const chain = proof === undefined ? undefined : verifier.structure(proof);
    if (chain?.ok && chain.verified.proofs[0]) found.set(entry.author, chain.verified.proofs[0].token.iss);
  }
  return found;
}

export const members: Command = {
  usage,
  options: { ...poolOptions, pool: { type: "string" }, json: { type: "boolean" } },
  async run(args, io) {
    const session = await openPool(args, io, poolArgument(args, usage), { readOnly: true });
    try {
      const genesis = requirePool(session);
      const invitedBy = inviters(session);
      const rows: MemberRow[] = Object.entries(session.ledger.state.members)
        .map(([did, m]) => ({
          did,
          abilities: [...m.abilities],
          since: m.since,
          root: did === genesis.root,
          ...(invitedBy.has(did) ? { invitedBy: invitedBy.get(did)! } : {}),
          ...(m.invite ? { invite: m.invite } : {}),
          ...(m.revoked !== undefined ? { revoked: m.revoked } : {}),
        }))
        .sort((a, b) => a.since - b.since || (a.did < b.did ? -1 : 1));
      if (args.values.json) {
        io.out(JSON.stringify({ schemaVersion: 1, pool: session.pool, name: genesis.settings.name, root: genesis.root, members: rows }));
        return ExitCode.ok;
      }
      io.out(`Pool "${genesis.settings.name}" ${session.pool}: ${rows.filter((r) => r.revoked === undefined).length} members`);
      for (const r of rows) {
        const status = r.revoked !== undefined ? `REVOKED ${isoTime(Math.floor(r.revoked / 1000))}` : r.root ? "root" : "active";
        const by = r.invitedBy ? `  invited by ${r.invitedBy}` : "";
        io.out(`  ${r.did}  ${status}  ${r.abilities.join(",")}  since ${isoTime(Math.floor(r.since / 1000))}${by}`);
      }
      return ExitCode.ok;
    } finally {
      await session.close();
    }
  },
};
