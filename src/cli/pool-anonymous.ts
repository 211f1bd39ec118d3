/**
 * `edgepool pool anonymous --pool P`: whether an open pool takes anonymous jobs (pool.anonymous,
 * an admin's entry; ledger/README.md 6.3) and the most one may offer, paid by the pool's fund.
 * Without a change it prints the current setting.
 */
import { setPoolAnonymous } from "../core/ledger/membership.ts";
import { MAX_ANONYMOUS_REWARD } from "../core/ledger/rules/anonymous.ts";
import { stringOption, type Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { openPool, poolArgument, poolOptions, POOL_USAGE, requirePool } from "./pool-ledger.ts";

const usage = [
  "usage: edgepool pool anonymous --pool P [--enable [--max-reward N] | --max-reward N | --disable] [--relay URL] [--json]",
  "",
  "Shows or sets whether an open pool takes anonymous jobs (`edgepool submit --anonymous`: one token",
  "from a listed issuer per job, from a key used once). The pool's fund pays them, so N caps what one",
  "anonymous job may offer (0: volunteers work for reputation only). You need pool/admin.",
  "",
  "  --pool P          the pool id (an open pool)",
  "  --enable          take anonymous jobs (give --max-reward the first time)",
  "  --max-reward N    the most one anonymous job may offer, 0 to " + MAX_ANONYMOUS_REWARD,
  "  --disable         take no more anonymous jobs (jobs already submitted still run)",
  ...POOL_USAGE,
  '  --json            print {"schemaVersion":1,"pool","enabled":bool,"maxReward":N|null}',
  "",
  "Exit codes: 0 done, 1 error, 2 usage, 4 you are not an admin of the pool.",
].join("\n");

/** A --max-reward (or pool create's --anonymous-reward) value: a whole number of credits within the protocol's bound. */
export function maxRewardOption(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) > MAX_ANONYMOUS_REWARD) throw new CliError(`${flag} must be a whole number from 0 to ${MAX_ANONYMOUS_REWARD}, got '${text}'`, ExitCode.usage);
  return Number(text);
}

type Change = { readonly enabled: boolean; readonly maxReward: number | undefined } | undefined;

function changeOf(enable: boolean, disable: boolean, maxReward: number | undefined): Change {
  if (enable && disable) throw new CliError("give --enable or --disable, not both", ExitCode.usage);
  if (disable && maxReward !== undefined) throw new CliError("--disable takes no --max-reward", ExitCode.usage);
  if (disable) return { enabled: false, maxReward: undefined };
  if (enable || maxReward !== undefined) return { enabled: true, maxReward };
  return undefined;
}

export const poolAnonymous: Command = {
  usage,
  options: { ...poolOptions, pool: { type: "string" }, enable: { type: "boolean" }, disable: { type: "boolean" }, "max-reward": { type: "string" }, json: { type: "boolean" } },
  async run(args, io) {
    const pool = poolArgument(args, usage);
    const rewardText = stringOption(args, "max-reward");
    const change = changeOf(args.values.enable === true, args.values.disable === true, rewardText === undefined ? undefined : maxRewardOption(rewardText, "--max-reward"));
    const session = await openPool(args, io, pool, { readOnly: change === undefined });
    try {
      const open = requirePool(session).open;
      if (!open) throw new CliError(`pool ${pool} is invite-only: only an open pool (edgepool pool create --open) takes anonymous jobs`, ExitCode.usage);
      if (change) {
        const current = open.anonymous?.maxReward;
        if (change.enabled && change.maxReward === undefined && current === undefined) throw new CliError("anonymous jobs are off in this pool: say how much one may offer with --max-reward N", ExitCode.usage);
        const set = await setPoolAnonymous(session.ledger, session.identity, { enabled: change.enabled, maxReward: change.maxReward ?? current ?? 0 }, Date.now());
        if (!set.ok) throw new CliError(`${set.reason}: ${set.message}`, set.reason === "not-authorised" || set.reason === "not-a-member" ? ExitCode.noPermission : ExitCode.error);
        if (change.enabled && Object.keys(open.issuers).length === 0) io.err("No issuer is listed in this pool yet: anonymous jobs need a token from one (list it with pool create --issuer).");
        if (!(await session.sync())) io.err("Set on this node; it reaches the pool when this node next syncs with a peer or relay.");
      }
      const shown = requirePool(session).open?.anonymous;
      io.out(
        args.values.json === true
          ? JSON.stringify({ schemaVersion: 1, pool, enabled: shown !== undefined, maxReward: shown?.maxReward ?? null })
          : shown
            ? `anonymous jobs: on, at most ${shown.maxReward} credits each (paid by the pool's fund)`
            : "anonymous jobs: off",
      );
      return ExitCode.ok;
    } finally {
      await session.close();
    }
  },
};
