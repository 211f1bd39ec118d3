/** `edgepool join <link>`: redeems an invite link and records this node's member.join. */
import { parseInviteLink, redeemInvite } from "../core/capability/invite.ts";
import { joinWithInvite } from "../core/ledger/membership.ts";
import { stringOption, type Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { joinOpen } from "./join-open.ts";
import { openPool, poolOptions, POOL_USAGE } from "./pool-ledger.ts";

const usage = [
  "usage: edgepool join LINK [--relay URL] [--json]",
  "       edgepool join --pool P --relay URL [--token] [--json]",
  "",
  "Joins the pool an invite link is for. Joining shares your DID (your public identity) with the",
  "pool's members and records the abilities the link grants you in the pool's ledger. Syncs through",
  "the relay the link names, or --relay.",
  "",
  "With --pool instead of a link, joins an open pool as a stranger: you pay with a proof-of-work",
  "stamp (about 20 s of one core, with a progress bar) or, with --token, a Privacy Pass token from",
  "one of the pool's issuers. A stranger can run and submit jobs; more needs an admin's invite.",
  "",
  "  --pool P       the open pool's id",
  "  --token        pay with an issuer's token instead of a stamp",
  ...POOL_USAGE,
  '  --json         print {"schemaVersion":1,"pool","member","abilities","invitedBy","expires"}',
  "",
  "Exit codes: 0 joined (or already a member), 1 error, 2 usage or not a link, 4 the link is expired,",
  "used up or revoked (the message says which; ask whoever invited you for a new link).",
].join("\n");

export const join: Command = {
  usage,
  options: { ...poolOptions, json: { type: "boolean" }, pool: { type: "string" }, token: { type: "boolean" } },
  async run(args, io) {
    const openPoolId = stringOption(args, "pool");
    if (openPoolId !== undefined && args.positionals.length === 0) return joinOpen(args, io, openPoolId);
    if (args.positionals.length !== 1) throw new CliError(`expected one invite link\n${usage}`, ExitCode.usage);
    const parsed = parseInviteLink(args.positionals[0]);
    if (!parsed.ok) throw new CliError(parsed.message, ExitCode.usage);
    const { invite } = parsed;
    const session = await openPool(args, io, invite.pool, { relay: stringOption(args, "relay") ?? invite.relay, ...(invite.sealed ? { private: { kind: "invite", link: invite } } : {}) });
    try {
      const me = session.identity.did;
      const redeemed = await redeemInvite(invite, me, Math.floor(Date.now() / 1000));
      if (!redeemed.ok) throw new CliError(redeemed.message, ExitCode.noPermission);
      const r = redeemed.redemption;
      const print = () => io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, pool: r.pool, member: me, abilities: r.abilities, invitedBy: r.inviter, expires: r.expiration }) : r.pool);
      const joined = await joinWithInvite(session.ledger, session.identity, r, Date.now(), session.privacy?.options.me.kex.publicKey);
      if (!joined.ok) throw new CliError(joined.reason === "revoked" || joined.reason === "invite-used-up" ? joined.message : `${joined.reason}: ${joined.message}`, ExitCode.noPermission);
      if (joined.status === "already-member") {
        io.err(`You (${me}) are already a member of pool ${r.pool}.`);
        print();
        return ExitCode.ok;
      }
      if (joined.status === "pending") io.err(`This node has not seen pool ${r.pool} yet (no relay reached); your join is recorded and checked when it syncs.`);
      const confirmed = await session.sync();
      const left = joined.usesLeft;
      if (joined.status === "joined" && confirmed) io.err(`Joined pool "${session.ledger.state.pool?.settings.name}" as ${me} (your DID is now visible to its members) with ${r.abilities.join(", ")}; invited by ${r.inviter}; the link has ${left} use${left === 1 ? "" : "s"} left.`);
      else io.err(`Your join (${r.abilities.join(", ")}) is recorded on this node and reaches the pool when it syncs with a peer or relay (--relay URL).`);
      print();
      return ExitCode.ok;
    } finally {
      await session.close();
    }
  },
};
