/**
 * `edgepool join --pool P`: joins an open pool as a stranger (issue 12), paying with a
 * proof-of-work stamp (a progress bar on stderr) or, with --token or in a tokens-only pool, a
 * Privacy Pass token from one of the pool's issuers.
 */
import { parsePoolId, type PoolId } from "../core/capability/pool.ts";
import type { Did } from "../core/identity/did-key.ts";
import { joinOpenPool, openJoinPolicy, type OpenJoinPolicy, type OpenPayment } from "../core/ledger/open-join.ts";
import { payForOpenJoin } from "../core/net/open-join-payment.ts";
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
    const { name } = policy.policy;
    const me = session.identity;
    if (me.did in session.ledger.state.members && session.ledger.state.members[me.did]!.revoked === undefined) {
      io.err(`You (${me.did}) are already a member of pool "${name}".`);
      io.out(parsed.pool);
      return ExitCode.ok;
    }
    const paid = await pay(io, policy.policy, { pool: parsed.pool, did: me.did }, args.values.token === true);
    const payment = paid.payment;
    const joined = await joinOpenPool(session.ledger, me, payment, Date.now());
    if (!joined.ok) throw new CliError(`${joined.reason}: ${joined.message}`, ExitCode.noPermission);
    const confirmed = await session.sync();
    const queued = joined.since > Date.now() ? ` You are in the join queue: your membership starts ${new Date(joined.since).toISOString()}.` : "";
    io.err(`Joined open pool "${name}" as ${me.did} (visible to its members) with job/run and job/submit.${queued}${confirmed ? "" : " The join reaches the pool when this node next syncs (--relay URL)."}`);
    io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, pool: parsed.pool, member: me.did, paidWith: paid.how, since: joined.since }) : parsed.pool);
    return ExitCode.ok;
  } finally {
    await session.close();
  }
}

async function pay(io: CliIo, policy: OpenJoinPolicy, subject: { pool: PoolId; did: Did }, preferToken: boolean): Promise<{ payment: OpenPayment; how: "stamp" | "token" }> {
  const stamp = !preferToken && policy.stampBits > 0;
  if (stamp) io.err(`Solving a join stamp (${policy.stampBits} bits, about ${Math.round(2 ** policy.stampBits / 200_000)} s of one core): it keeps one person from flooding the pool with identities.`);
  const started = Date.now();
  let lastDraw = 0;
  const paid = await payForOpenJoin(policy, subject, {
    preferToken,
    onIssuer: (url) => io.err(`Asking ${url} for a join token (it learns that someone asks, not which pool identity it is for)…`),
    onProgress: (tried, expected) => {
      if (Date.now() - lastDraw < 250) return;
      lastDraw = Date.now();
      // Expected work, not a promise: a stamp can come early or late.
      io.err(`${progressBar(Math.round((Math.min(tried, expected - 1) / expected) * 100), 0, 100)}% of the expected work, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    },
  });
  if (!paid.ok) throw new CliError(paid.message, paid.reason === "no-issuer" ? ExitCode.usage : ExitCode.noPermission);
  if (paid.how === "stamp") io.err(`Stamp found after ${paid.tried?.toLocaleString("en")} tries in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return paid;
}
