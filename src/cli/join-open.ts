/**
 * `edgepool join --pool P`: joins an open pool as a stranger (issue 12), paying with a
 * proof-of-work stamp (a progress bar on stderr) or, with --token or in a tokens-only pool, a
 * Privacy Pass token from one of the pool's issuers.
 */
import { solveJoinStamp } from "../core/capability/join-stamp.ts";
import { joinTokenChallenge } from "../core/capability/join-token.ts";
import { parsePoolId } from "../core/capability/pool.ts";
import { joinOpenPool, openJoinPolicy, type OpenPayment } from "../core/ledger/open-join.ts";
import { epochOf } from "../core/ledger/verdict.ts";
import { fetchJoinToken } from "../core/net/join-token-fetch.ts";
import type { Identity } from "../core/identity/keystore.ts";
import type { CliIo, ParsedArgs } from "./command.ts";
import { progressBar } from "./demo-report.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { openPool } from "./pool-ledger.ts";

export async function joinOpen(args: ParsedArgs, io: CliIo, poolText: string): Promise<ExitCode> {
  const parsed = parsePoolId(poolText);
  if (!parsed.ok) throw new CliError(parsed.message, ExitCode.usage);
  const session = await openPool(args, io, parsed.pool);
  try {
    const policy = openJoinPolicy(session.ledger);
    if (!policy.ok) throw new CliError(policy.message, policy.reason === "no-pool" ? ExitCode.error : ExitCode.noPermission);
    const { name, stampBits, issuers } = policy.policy;
    const me = session.identity;
    if (me.did in session.ledger.state.members && session.ledger.state.members[me.did]!.revoked === undefined) {
      io.err(`You (${me.did}) are already a member of pool "${name}".`);
      io.out(parsed.pool);
      return ExitCode.ok;
    }
    const wantsToken = args.values.token === true || stampBits === 0;
    const payment = wantsToken ? await fetchToken(io, me, parsed.pool, issuers) : await solveStamp(io, me, parsed.pool, stampBits);
    const joined = await joinOpenPool(session.ledger, me, payment, Date.now());
    if (!joined.ok) throw new CliError(`${joined.reason}: ${joined.message}`, ExitCode.noPermission);
    const confirmed = await session.sync();
    const queued = joined.since > Date.now() ? ` You are in the join queue: your membership starts ${new Date(joined.since).toISOString()}.` : "";
    io.err(`Joined open pool "${name}" as ${me.did} (visible to its members) with job/run and job/submit.${queued}${confirmed ? "" : " The join reaches the pool when this node next syncs (--relay URL)."}`);
    io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, pool: parsed.pool, member: me.did, paidWith: "stamp" in payment ? "stamp" : "token", since: joined.since }) : parsed.pool);
    return ExitCode.ok;
  } finally {
    await session.close();
  }
}

async function solveStamp(io: CliIo, me: Identity, pool: Parameters<typeof solveJoinStamp>[0]["pool"], bits: number): Promise<OpenPayment> {
  io.err(`Solving a join stamp (${bits} bits, about ${Math.round(2 ** bits / 200_000)} s of one core): it keeps one person from flooding the pool with identities.`);
  const started = Date.now();
  let lastDraw = 0;
  const solved = await solveJoinStamp({ pool, did: me.did }, bits, epochOf(Date.now()), {
    onProgress: (tried, expected) => {
      if (Date.now() - lastDraw < 250) return;
      lastDraw = Date.now();
      // Expected work, not a promise: a stamp can come early or late.
      const done = Math.min(tried, expected - 1);
      io.err(`${progressBar(Math.round((done / expected) * 100), 0, 100)}% of the expected work, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    },
  });
  if (!solved.ok) throw new CliError(solved.message, ExitCode.interrupted);
  io.err(`Stamp found after ${solved.tried.toLocaleString("en")} tries in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return { stamp: solved.stamp };
}

async function fetchToken(io: CliIo, me: Identity, pool: Parameters<typeof solveJoinStamp>[0]["pool"], issuers: readonly { url: string }[]): Promise<OpenPayment> {
  if (issuers.length === 0) throw new CliError("this pool lists no token issuer: join with a stamp (leave out --token)", ExitCode.usage);
  const problems: string[] = [];
  for (const issuer of issuers) {
    io.err(`Asking ${issuer.url} for a join token (it learns that someone asks, not which pool identity it is for)…`);
    const fetched = await fetchJoinToken(issuer.url, joinTokenChallenge(new URL(issuer.url).host, { pool, did: me.did }, epochOf(Date.now())));
    if (fetched.ok) return { token: fetched.token };
    problems.push(`${issuer.url}: ${fetched.message}`);
  }
  throw new CliError(`no issuer gave a token:\n  ${problems.join("\n  ")}`, ExitCode.noPermission);
}
