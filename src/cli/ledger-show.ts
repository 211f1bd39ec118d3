/** `edgepool ledger show --pool P`: the pool's ledger as this node validated it. */
import { automergeDir, openHomeLedger } from "../core/ledger/home-node.ts";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import type { PoolId } from "../core/capability/pool.ts";
import type { Ledger } from "../core/ledger/ledger.ts";
import { Keyring } from "../core/privacy/keyring.ts";
import type { PrivacyView, PrivateLedger } from "../core/privacy/private-ledger.ts";
import { openPool, poolArgument } from "./pool-ledger.ts";
import { paramsRows, strikeLabel, summarise, type LedgerSummary } from "../core/ledger/summary.ts";
import { type CliIo, type Command, type ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { HOME_USAGE, homeOption, resolveHome } from "./home.ts";

export const ledgerShow: Command = {
  usage: [
    "usage: edgepool ledger show --pool P [--json] [--home DIR]",
    "",
    "Prints the pool's ledger as this node validated it: members, jobs with their status, credit",
    "balances (spendable and vesting), reputation, each worker's tier, stake and strikes with their reason,",
    "the verification fund and the pool's incentive parameters, the entries this node refused with the reason,",
    "equivocation evidence and the last checkpoint; for a private pool, its key epoch and whether a",
    "newer key exists that this node does not hold yet. Reads only what is stored under DIR.",
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
    const now = Date.now();
    const opened = await openForReading(args, io, pool, now);
    try {
      const summary = summarise(opened.ledger.view(), now);
      const privacy = opened.privacy && privacyLine(opened.privacy);
      if (args.values.json) io.out(JSON.stringify({ schemaVersion: 1, poolId: pool, epoch: opened.epoch, ...summary, ...(privacy ? { privacy: privacy.json } : {}) }));
      else for (const line of [...render(pool, opened.epoch, summary), ...(privacy ? [privacy.text] : [])]) io.out(line);
      return ExitCode.ok;
    } finally {
      await opened.close();
    }
  },
};

interface Reading {
  readonly ledger: Ledger;
  readonly epoch: number;
  readonly privacy: PrivateLedger | undefined;
  close(): Promise<void>;
}

/** The pool's ledger from what is stored under --home: a private pool through its keys, offline. */
async function openForReading(args: ParsedArgs, io: CliIo, pool: PoolId, now: number): Promise<Reading> {
  const home = resolveHome(args, io);
  if (await Keyring.holds(new NodeFSStorageAdapter(automergeDir(home)), pool)) {
    const session = await openPool(args, io, pool, { relay: undefined, readOnly: true });
    return { ledger: session.ledger, epoch: session.ledger.epoch, privacy: session.privacy, close: () => session.close() };
  }
  const opened = await openHomeLedger(home, pool, () => now);
  if (!opened.ok) throw new CliError(opened.message, ExitCode.error);
  return {
    ledger: opened.ledger,
    epoch: opened.epoch,
    privacy: undefined,
    async close() {
      await opened.ledger.persisted();
      opened.ledger.close();
      await opened.home.close();
    },
  };
}

/** A private pool's key epoch, whether this node holds its key, and what it refused. */
function privacyLine(node: PrivateLedger): { text: string; json: PrivacyView } {
  const view = node.view();
  const failures = Object.entries(view.failures).map(([reason, n]) => `${reason} ${n}`).join(", ");
  const pending = view.pendingRotation ? "; a newer key exists that this node does not hold yet (sync with a relay)" : "";
  return {
    text: `Private: key epoch ${view.epoch ?? "none"}, sealing under epoch ${view.sealingEpoch ?? "none"}${pending}; ${view.envelopes} envelopes${failures ? `, refused: ${failures}` : ""}`,
    json: view,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
const milli = (value: number): string => `${Math.floor(value / 1000)}.${String(value % 1000).padStart(3, "0")}`;

function render(pool: string, epoch: number, s: LedgerSummary): string[] {
  const lines = [`Pool ${s.pool?.settings.name ?? "(no pool.create entry yet)"} ${pool}, epoch ${epoch}, ${s.entries} valid entries`];
  if (s.pool) lines.push(`  root ${s.pool.root}, ${s.pool.settings.replication} replicas, reward ${s.pool.settings.rewardPerJob}, vesting ${s.pool.settings.vestingSeconds} s`);
  lines.push(`Members (${s.members.length}):`);
  for (const m of s.members) lines.push(`  ${m.did}  ${m.abilities.join(",")}  since ${iso(m.since)}${m.revoked !== undefined ? `  REMOVED ${iso(m.revoked)}` : ""}`);
  lines.push(`Jobs (${s.jobs.length}):`);
  for (const j of s.jobs) lines.push(`  ${j.id}  ${j.status}${j.provisionalUntil === undefined ? "" : " (provisional)"}  ${j.task}  k=${j.replicas} reward ${j.reward}  commits ${j.commits} reveals ${j.reveals}`);
  lines.push("Balances:");
  for (const b of s.balances) lines.push(`  ${b.did}  spendable ${b.spendable}  vesting ${b.vesting}${b.nextVest !== undefined ? ` (next ${iso(b.nextVest)})` : ""}`);
  lines.push("Reputation:");
  for (const r of s.reputation) lines.push(`  ${r.did}  ${milli(r.milli)}  agreed ${r.agreed} disagreed ${r.disagreed}`);
  lines.push(`Workers (${s.workers.length}); verification fund ${s.fund}:`);
  for (const w of s.workers) {
    const strikes = w.strikes.map((k) => `${strikeLabel(k)} (${k.reason}, ${iso(k.time)})`).join("; ");
    lines.push(`  ${w.did}  ${w.tier}${w.suspended ? ` (${w.suspended.reason} since ${iso(w.suspended.time)})` : ""}  C ${w.streak}  stake ${w.stake}${w.unbonding ? ` (+${w.unbonding} unbonding)` : ""}  strikes ${w.strikes.length}${strikes ? `: ${strikes}` : ""}${w.rewardFactor === undefined ? "" : `  reward factor ${(w.rewardFactor / 1000).toFixed(3)}`}`);
  }
  if (s.params) {
    lines.push(`Parameters: ${paramsRows(s.params).map((row) => `${row.label.toLowerCase()} ${row.value}`).join("; ")}`);
  }
  const reasons = Object.entries(s.invalid.byReason).map(([reason, n]) => `${reason} ${n}`).join(", ");
  lines.push(`Refused entries: ${s.invalid.count}${reasons ? ` (${reasons})` : ""}${s.deferred ? `; ${s.deferred} held until their time comes` : ""}`);
  for (const i of s.invalid.entries) lines.push(`  ${i.key}  ${i.reason}: ${i.message}`);
  for (const e of s.evidence) lines.push(`Equivocation: ${e.author} signed ${e.ids.length} entries with sequence ${e.seq}: ${e.ids.join(" ")}`);
  lines.push(s.checkpoint ? `Last checkpoint: ${s.checkpoint.id} through ${iso(s.checkpoint.through)}, ${s.checkpoint.count} entries` : "Last checkpoint: none");
  return lines;
}
