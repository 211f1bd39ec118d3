/** `edgepool result <job-id> --pool P [--out FILE]`: the accepted output of a done job. */
import { isEntryId } from "../core/ledger/schema.ts";
import type { EntryId } from "../core/ledger/types.ts";
import { stringOption, type Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { emitOutput, openJobNode } from "./job-session.ts";
import { poolArgument, poolOptions, POOL_USAGE } from "./pool-ledger.ts";
import { keptAnonymousJob } from "./anonymous-jobs-home.ts";
import { followAnonymousJob } from "./anonymous-submission.ts";
import { resolveHome } from "./home.ts";
import { directOptions, DIRECT_USAGE } from "./direct-peers.ts";

const usage = [
  "usage: edgepool result <job-id> --pool P [--out FILE] [--json]",
  "",
  "Prints the output a strict majority of the job's workers agreed on (UTF-8 as text, else hex),",
  "or writes its bytes to FILE. Exit codes: 0 done, 1 not done yet or output unreachable, 2 usage,",
  "5 the job failed.",
  "",
  "  --pool P       the pool id",
  "  --out FILE     write the output bytes to FILE",
  ...POOL_USAGE,
  ...DIRECT_USAGE,
  '  --json         print {"schemaVersion":1,"job","status","output":{utf8|hex|file}}',
].join("\n");

export const result: Command = {
  usage,
  options: { ...poolOptions, ...directOptions, pool: { type: "string" }, out: { type: "string" }, json: { type: "boolean" } },
  async run(args, io) {
    const [id, ...extra] = args.positionals;
    if (!id || extra.length > 0) throw new CliError(`give one job id\n${usage}`, ExitCode.usage);
    if (!isEntryId(id)) throw new CliError(`${JSON.stringify(id.slice(0, 64))} is not a job id (as printed by edgepool submit)`, ExitCode.usage);
    const job = id as EntryId;
    // A job this home submitted anonymously is read as its key, through its own namespace: asking
    // for it as this node would tie the node to the job.
    const kept = await keptAnonymousJob(resolveHome(args, io), io, poolArgument(args, usage), job);
    const opened = kept ? await followAnonymousJob(args, io, kept) : await openJobNode(args, io, usage, undefined, true);
    try {
      const view = opened.node.jobs.status(job);
      if (!view) throw new CliError(`this node knows no job ${job} in the pool; pass --relay URL to sync first`);
      if (view.status === "failed") throw new CliError(`job ${job} failed (${view.failure ?? "no verdict before its deadline"})`, ExitCode.jobFailed);
      if (view.status !== "done") throw new CliError(`job ${job} is ${view.status}; run this again later or use edgepool submit --wait`);
      const fetched = await opened.node.jobs.result(job);
      if (!fetched.ok) throw new CliError(`${fetched.message}`);
      await emitOutput(io, job, fetched.bytes, stringOption(args, "out"), args.values.json === true);
      return ExitCode.ok;
    } finally {
      await opened.close();
    }
  },
};
