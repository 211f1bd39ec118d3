/**
 * `edgepool submit --pool P --task NAME_OR_FILE --input FILE [--replicas K] [--reward N] [--wait]`:
 * submits a job to the pool. Offline, the job is stored on this node and syncs when the relay is
 * reachable (the next `submit`, `jobs` or `work` with --relay sends it). `--anonymous` submits to
 * an open pool from an ephemeral key with an issuer's token (anonymous-submission.ts).
 */
import type { EntryId } from "../core/ledger/types.ts";
import { stringOption, type CliIo, type Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { emitOutput, openJobNode, resolveTask, type JobSession } from "./job-session.ts";
import { parseDuration, poolOptions, POOL_USAGE } from "./pool-ledger.ts";
import { directOptions, DIRECT_USAGE } from "./direct-peers.ts";
import { readInput } from "./run.ts";
import { openAnonymousNode } from "./anonymous-submission.ts";

const usage = [
  "usage: edgepool submit --pool P --task NAME_OR_FILE --input FILE [--replicas K] [--reward N] [--deadline 1h] [--spot PERMILLE]",
  "                       [--anonymous] [--wait [--out FILE]] [--json]",
  "",
  "Submits a job: the task module (a built-in task name such as mandelbrot, or a .wasm file) runs on",
  "K workers of the pool; a strict majority of equal outputs is the result.",
  "",
  "  --pool P          the pool id",
  "  --task T          built-in task name or path to a .wasm module",
  "  --input FILE      the input bytes ('-' reads stdin)",
  "  --replicas K      workers per job, 1-15 (default: the pool's replication)",
  "  --reward N        credits shared by the agreeing workers (default: the pool's reward per job)",
  "  --deadline D      how long the job may take: 90s, 30m, 12h (default 1h)",
  "  --spot PERMILLE   with --replicas 1: chance in thousandths of a hidden spot check (default 0)",
  "  --anonymous       open pools that allow it: submit from a fresh key with a token from the pool's",
  "                    issuer instead of your identity; the pool's fund pays (default reward: the most",
  "                    it allows). The input and output are public in an open pool; the key is kept",
  "                    in DIR/anonymous/ (edgepool result reads the job as that key). Your address",
  "                    still reaches the relay (use Tor or a VPN)",
  "  --wait            wait for the verdict and print the output (exit 5 if the job fails)",
  "  --out FILE        with --wait: write the output bytes to FILE",
  ...POOL_USAGE,
  ...DIRECT_USAGE,
  '  --json            print {"schemaVersion":1,"job","status"} (and "output" with --wait)',
].join("\n");

function intOption(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`, ExitCode.usage);
  return value;
}

/** Waits for the verdict, then prints or writes the output; exit 5 when the job fails. */
async function awaitResult(opened: JobSession, job: EntryId, io: CliIo, json: boolean, out: string | undefined): Promise<ExitCode> {
  const view = await opened.node.jobs.settled(job);
  if (view.status === "failed") {
    if (json) io.out(JSON.stringify({ schemaVersion: 1, job, status: view.status, failure: view.failure ?? "deadline" }));
    throw new CliError(`job ${job} failed (${view.failure ?? "no verdict before its deadline"})`, ExitCode.jobFailed);
  }
  const result = await opened.node.jobs.result(job);
  if (!result.ok) throw new CliError(`job ${job} is done but its output could not be fetched: ${result.message}`);
  await emitOutput(io, job, result.bytes, out, json);
  return ExitCode.ok;
}

export const submit: Command = {
  usage,
  options: {
    ...poolOptions,
    ...directOptions,
    pool: { type: "string" },
    task: { type: "string" },
    input: { type: "string" },
    replicas: { type: "string" },
    reward: { type: "string" },
    deadline: { type: "string" },
    spot: { type: "string" },
    anonymous: { type: "boolean" },
    wait: { type: "boolean" },
    out: { type: "string" },
    json: { type: "boolean" },
  },
  async run(args, io) {
    const task = stringOption(args, "task");
    const inputPath = stringOption(args, "input");
    if (!task || !inputPath) throw new CliError(`--task and --input are required\n${usage}`, ExitCode.usage);
    const replicas = intOption(stringOption(args, "replicas"), "--replicas", 1, 15);
    const reward = intOption(stringOption(args, "reward"), "--reward", 0, 1_000_000_000);
    const spot = intOption(stringOption(args, "spot"), "--spot", 0, 1000);
    const deadlineMs = parseDuration(stringOption(args, "deadline") ?? "1h", "--deadline") * 1000;
    const [module, input] = [await resolveTask(task), await readInput(inputPath)];
    const json = args.values.json === true;
    const anonymous = args.values.anonymous === true;
    if (anonymous && spot !== undefined) throw new CliError("--anonymous jobs are replicated: drop --spot (the fund pays them, and a spot check is not fund-paid)", ExitCode.usage);
    const anon = anonymous ? await openAnonymousNode(args, io, usage, (maxReward) => reward ?? maxReward) : undefined;
    const opened: JobSession = anon ?? (await openJobNode(args, io, usage));
    try {
      const settings = opened.session.ledger.state.pool!.settings;
      const submitted = await opened.node.jobs.submit({
        module,
        input,
        replicas: replicas ?? settings.replication,
        reward: reward ?? anon?.maxReward ?? settings.rewardPerJob,
        deadline: Date.now() + deadlineMs,
        ...(spot !== undefined ? { spot } : {}),
        ...(anon ? { token: anon.token } : {}),
      });
      if (!submitted.ok) throw new CliError(`${submitted.reason}: ${submitted.message}`, submitted.reason === "not-authorised" ? ExitCode.noPermission : ExitCode.error);
      if (anon) io.err(`Submitted anonymously from ${anon.node.did} (a key used once; kept in ${await anon.keep(submitted.job)}). Read the output with edgepool result ${submitted.job} --pool ${anon.session.pool}.`);
      const synced = await opened.session.sync();
      io.err(synced ? `Submitted job ${submitted.job}.` : `Job ${submitted.job} is queued on this device; it syncs when a relay is reachable (pass --relay URL).`);
      if (args.values.wait) return await awaitResult(opened, submitted.job, io, json, stringOption(args, "out"));
      io.out(json ? JSON.stringify({ schemaVersion: 1, job: submitted.job, status: opened.node.jobs.status(submitted.job)?.status, synced }) : submitted.job);
      return ExitCode.ok;
    } finally {
      await opened.close();
    }
  },
};
