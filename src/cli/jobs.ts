/** `edgepool jobs --pool P [--mine] [--json]`: the pool's jobs and their status as this node sees them. */
import type { JobView } from "../core/jobs/client.ts";
import type { Command } from "./command.ts";
import { ExitCode } from "./exit-codes.ts";
import { directOptions, DIRECT_USAGE } from "./direct-peers.ts";
import { openJobNode } from "./job-session.ts";
import { poolOptions, POOL_USAGE } from "./pool-ledger.ts";

const usage = [
  "usage: edgepool jobs --pool P [--mine] [--json]",
  "",
  "Lists the pool's jobs, newest first, with their status: queued (no worker yet), running,",
  "verifying (every replica committed, reveals pending), done or failed.",
  "",
  "  --pool P       the pool id",
  "  --mine         only the jobs this node submitted",
  ...POOL_USAGE,
  ...DIRECT_USAGE,
  '  --json         print {"schemaVersion":1,"jobs":[{id,status,task,replicas,reward,deadline,submitted,commits,reveals,failure?,output?,provisionalUntil?}]}',
].join("\n");

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

function row(job: JobView): string {
  const final = job.provisionalUntil === undefined ? "" : ` (provisional until ${iso(job.provisionalUntil)})`;
  const detail = job.status === "failed" ? (job.failure ?? "deadline passed") : `${job.reveals}/${job.commits}/${job.replicas} revealed/committed/replicas${final}`;
  return `${job.id}  ${job.status.padEnd(9)}  reward ${String(job.reward).padStart(5)}  ${detail}  deadline ${iso(job.deadline)}`;
}

export const jobs: Command = {
  usage,
  options: { ...poolOptions, ...directOptions, pool: { type: "string" }, mine: { type: "boolean" }, json: { type: "boolean" } },
  async run(args, io) {
    const opened = await openJobNode(args, io, usage, undefined, true);
    try {
      const list = opened.node.jobs.list(args.values.mine === true);
      if (args.values.json) io.out(JSON.stringify({ schemaVersion: 1, jobs: list }));
      else if (list.length === 0) io.err("No jobs in this pool yet.");
      else for (const job of list) io.out(row(job));
      return ExitCode.ok;
    } finally {
      await opened.close();
    }
  },
};
