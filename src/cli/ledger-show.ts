/** `edgepool ledger show --pool P`: the pool's ledger as this node validated it. */
import { parsePoolId } from "../core/capability/pool.ts";
import { openHomeLedger } from "../core/ledger/home-node.ts";
import { summarise, type LedgerSummary } from "../core/ledger/summary.ts";
import { stringOption, type Command, type ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { HOME_USAGE, homeOption, resolveHome } from "./home.ts";

export const ledgerShow: Command = {
  usage: [
    "usage: edgepool ledger show --pool P [--json] [--home DIR]",
    "",
    "Prints the pool's ledger as this node validated it: members, jobs with their status, credit",
    "balances (spendable and vesting), reputation, each worker's tier, stake and strikes with their reason,",
    "the verification fund and the pool's incentive parameters, the entries this node refused with the reason,",
    "equivocation evidence and the last checkpoint. Reads only what is stored under DIR.",
    "",
    "  --pool P       the pool id (as printed by `edgepool pool create`)",
    HOME_USAGE,
    '  --json         print {"schemaVersion":1, "poolId", "epoch", "pool", "members", "jobs", "balances", "reputation", "workers", "fund", "params", "invalid", "evidence", "checkpoint", ...}',
    "",
    "Exit codes: 0 ok, 1 no ledger for the pool under DIR, 2 usage.",
  ].join("\n"),
  options: { ...homeOption, pool: { type: "string" }, json: { type: "boolean" } },
  async run(args, io) {
    const pool = poolArgument(args, ledgerShow.usage);
    const home = resolveHome(args, io);
    const now = Date.now();
    const opened = await openHomeLedger(home, pool, () => now);
    if (!opened.ok) throw new CliError(opened.message, ExitCode.error);
    try {
      const summary = summarise(opened.ledger.view(), now);
      if (args.values.json) io.out(JSON.stringify({ schemaVersion: 1, poolId: pool, epoch: opened.epoch, ...summary }));
      else for (const line of render(pool, opened.epoch, summary)) io.out(line);
      return ExitCode.ok;
    } finally {
      await opened.ledger.persisted();
      opened.ledger.close();
      await opened.home.close();
    }
  },
};

/** The --pool option, checked (shared with `ledger verify`). */
export function poolArgument(args: ParsedArgs, usage: string) {
  const raw = stringOption(args, "pool");
  if (raw === undefined) throw new CliError(`--pool is required\n${usage}`, ExitCode.usage);
  const parsed = parsePoolId(raw);
  if (!parsed.ok) throw new CliError(parsed.message, ExitCode.usage);
  return parsed.pool;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
const milli = (value: number): string => `${Math.floor(value / 1000)}.${String(value % 1000).padStart(3, "0")}`;

function render(pool: string, epoch: number, s: LedgerSummary): string[] {
  const lines = [`Pool ${s.pool?.settings.name ?? "(no pool.create entry yet)"} ${pool}, epoch ${epoch}, ${s.entries} valid entries`];
  if (s.pool) lines.push(`  root ${s.pool.root}, ${s.pool.settings.replication} replicas, reward ${s.pool.settings.rewardPerJob}, vesting ${s.pool.settings.vestingSeconds} s`);
  lines.push(`Members (${s.members.length}):`);
  for (const m of s.members) lines.push(`  ${m.did}  ${m.abilities.join(",")}  since ${iso(m.since)}${m.revoked !== undefined ? `  REMOVED ${iso(m.revoked)}` : ""}`);
  lines.push(`Jobs (${s.jobs.length}):`);
  for (const j of s.jobs) lines.push(`  ${j.id}  ${j.status}  ${j.task}  k=${j.replicas} reward ${j.reward}  commits ${j.commits} reveals ${j.reveals}`);
  lines.push("Balances:");
  for (const b of s.balances) lines.push(`  ${b.did}  spendable ${b.spendable}  vesting ${b.vesting}${b.nextVest !== undefined ? ` (next ${iso(b.nextVest)})` : ""}`);
  lines.push("Reputation:");
  for (const r of s.reputation) lines.push(`  ${r.did}  ${milli(r.milli)}  agreed ${r.agreed} disagreed ${r.disagreed}`);
  lines.push(`Workers (${s.workers.length}); verification fund ${s.fund}:`);
  for (const w of s.workers) {
    const strikes = w.strikes.map((k) => `${k.severe ? "severe" : "minor"} ${k.reason} ${iso(k.time)}`).join("; ");
    lines.push(`  ${w.did}  ${w.tier}${w.suspended ? ` (${w.suspended.reason} since ${iso(w.suspended.time)})` : ""}  C ${w.streak}  stake ${w.stake}${w.unbonding ? ` (+${w.unbonding} unbonding)` : ""}  strikes ${w.strikes.length}${strikes ? `: ${strikes}` : ""}${w.rewardFactor === undefined ? "" : `  reward factor ${(w.rewardFactor / 1000).toFixed(3)}`}`);
  }
  if (s.params) {
    const p = s.params;
    lines.push(`Parameters (epoch ${p.epoch}): tax ${p.set.taxPermille / 10}%, trust C >= ${p.trust}, single runs <= ${p.set.maxSingle}, q_min ${p.qMinPermille / 10}%, majority k ${p.majority}, quota ${p.set.quota}, sanctions ${p.set.sanctions ? "on" : "off"}${p.pending ? `; new parameters from epoch ${p.pending.from}` : ""}`);
  }
  const reasons = Object.entries(s.invalid.byReason).map(([reason, n]) => `${reason} ${n}`).join(", ");
  lines.push(`Refused entries: ${s.invalid.count}${reasons ? ` (${reasons})` : ""}${s.deferred ? `; ${s.deferred} held until their time comes` : ""}`);
  for (const i of s.invalid.entries) lines.push(`  ${i.key}  ${i.reason}: ${i.message}`);
  for (const e of s.evidence) lines.push(`Equivocation: ${e.author} signed ${e.ids.length} entries with sequence ${e.seq}: ${e.ids.join(" ")}`);
  lines.push(s.checkpoint ? `Last checkpoint: ${s.checkpoint.id} through ${iso(s.checkpoint.through)}, ${s.checkpoint.count} entries` : "Last checkpoint: none");
  return lines;
}
