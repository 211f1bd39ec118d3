/** `edgepool invite --pool P --can job/submit,job/run --ttl 7d --uses 5`: prints an invite link. */
import { parseAbilityList } from "../core/capability/abilities.ts";
import { isoTime } from "../core/capability/chain.ts";
import { createPoolInvite } from "../core/ledger/membership.ts";
import { createPrivateInvite } from "../core/privacy/private-invite.ts";
import { stringOption, type Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { openPool, parseDuration, poolArgument, poolOptions, POOL_USAGE, requirePool } from "./pool-ledger.ts";

const DEFAULT_APP_URL = "http://localhost:8080/";

const usage = [
  "usage: edgepool invite --pool P --can ABILITIES [--ttl 7d] [--uses 1] [--member-ttl 365d] [--app-url URL] [--relay URL] [--json]",
  "",
  "Prints an invite link for pool P. Whoever opens it joins with ABILITIES (comma-separated:",
  "pool/admin, member/invite, job/submit, job/run, ledger/checkpoint). The link carries a one-time",
  "key in its #fragment, which browsers never send to a server: share it privately, like a password.",
  "You must hold member/invite (the pool's root does) and every ability you grant.",
  "",
  "  --pool P           the pool id",
  "  --can A,B          abilities to grant",
  "  --ttl D            how long the link can be redeemed (default 7d; units s, m, h, d, w)",
  "  --uses N           how many people may join with it (default 1)",
  "  --member-ttl D     how long the membership lasts (default 365d, at most your own)",
  "  --app-url URL      the app the link opens (default $EDGEPOOL_APP_URL or " + DEFAULT_APP_URL + ")",
  ...POOL_USAGE,
  '  --json             print {"schemaVersion":1,"link","pool","invite","abilities","uses","joinBefore","expires"}',
  "",
  "Exit codes: 0 ok, 1 no ledger for P here, 2 usage, 4 you may not invite (or grant these abilities).",
].join("\n");

export const invite: Command = {
  usage,
  options: { ...poolOptions, pool: { type: "string" }, can: { type: "string" }, ttl: { type: "string" }, uses: { type: "string" }, "member-ttl": { type: "string" }, "app-url": { type: "string" }, json: { type: "boolean" } },
  async run(args, io) {
    const pool = poolArgument(args, usage);
    const can = stringOption(args, "can");
    if (can === undefined) throw new CliError(`--can is required\n${usage}`, ExitCode.usage);
    const abilities = parseAbilityList(can);
    if (!abilities.ok) throw new CliError(abilities.message, ExitCode.usage);
    const uses = Number(stringOption(args, "uses") ?? "1");
    if (!Number.isSafeInteger(uses) || uses < 1 || uses > 10_000) throw new CliError("--uses must be a whole number from 1 to 10000", ExitCode.usage);
    const ttl = parseDuration(stringOption(args, "ttl") ?? "7d", "--ttl");
    const memberTtl = parseDuration(stringOption(args, "member-ttl") ?? "365d", "--member-ttl");
    const appUrl = stringOption(args, "app-url") ?? io.env.EDGEPOOL_APP_URL ?? DEFAULT_APP_URL;
    if (!URL.canParse(appUrl)) throw new CliError(`--app-url must be a URL, got ${JSON.stringify(appUrl)}`, ExitCode.usage);

    const session = await openPool(args, io, pool);
    try {
      const genesis = requirePool(session);
      const nowS = Math.floor(Date.now() / 1000);
      const terms = { abilities: abilities.abilities, uses, joinBefore: nowS + ttl, memberExpiration: nowS + memberTtl, appUrl, relay: stringOption(args, "relay") };
      const created = session.privacy
        ? await createPrivateInvite(session.privacy, session.identity, terms, Date.now())
        : await createPoolInvite(session.ledger, session.identity, terms, Date.now());
      if (!created.ok) throw new CliError(`you cannot invite to pool ${pool}: ${created.reason}: ${created.message}`, ExitCode.noPermission);
      const { joinBefore } = created;
      io.err(`Invite to pool "${genesis.settings.name}" granting ${abilities.abilities.join(", ")}: ${uses} use${uses > 1 ? "s" : ""}, join before ${isoTime(joinBefore)}.`);
      io.err("Anyone with this link can join: share it privately. Revoke it with `edgepool revoke --pool P <link>`.");
      if (!(await session.sync())) io.err("The invite is recorded on this node; sync with the relay (--relay URL) before the link is used, or nobody can redeem it.");
      io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, link: created.link, pool, invite: created.invite, abilities: abilities.abilities, uses, joinBefore, expires: created.expiration }) : created.link);
      return ExitCode.ok;
    } finally {
      await session.close();
    }
  },
};
