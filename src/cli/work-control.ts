/**
 * Talking to a running `edgepool work`: it writes its status to HOME/work/status.json whenever a
 * decision or a job changes, and reads pause and resume requests from HOME/work/control.json.
 * `edgepool work status [--json]`, `work pause [--for 1h] [--finish]` and `work resume` use them.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PauseRequest } from "../core/scheduler/index.ts";
import { stringOption, type CliIo, type Command, type ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { HOME_USAGE, homeOption, resolveHome } from "./home.ts";
import { parseDuration } from "./pool-ledger.ts";

export interface WorkStatusFile {
  readonly schemaVersion: 1;
  readonly pid: number;
  readonly pool: string;
  readonly did: string;
  readonly updated: number;
  /** running, finishing, paused (the scheduler's state), or stopped. */
  readonly state: string;
  /** The scheduler's reason code (docs/scheduler.md). */
  readonly reason: string;
  readonly sentence: string;
  readonly workers: number;
  readonly since: number;
  readonly resumeCondition?: unknown;
  readonly active: ReadonlyArray<{ job: string; replica: number; phase: string }>;
  readonly settled: { agreed: number; disagreed: number; dropped: number };
}

export interface ControlRequest {
  readonly at: number;
  readonly pause?: PauseRequest;
  readonly resume?: true;
}

const workDir = (home: string): string => join(home, "work");
export const statusPath = (home: string): string => join(workDir(home), "status.json");
export const controlPath = (home: string): string => join(workDir(home), "control.json");

/** Writes through a temporary file so a reader never sees half a file. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(`${path}.tmp`, JSON.stringify(value));
  await rename(`${path}.tmp`, path);
}

export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runningStatus(args: ParsedArgs, io: CliIo): Promise<WorkStatusFile | undefined> {
  const status = await readJson<WorkStatusFile>(statusPath(resolveHome(args, io)));
  return status && status.state !== "stopped" && alive(status.pid) ? status : undefined;
}

export const workStatus: Command = {
  usage: [
    "usage: edgepool work status [--json] [--home DIR]",
    "",
    "Says whether `edgepool work` is contributing on this node and, if not, why (a reason code from",
    "docs/scheduler.md) and when it resumes. Exit 1 when no worker runs under DIR.",
    HOME_USAGE,
    '  --json         print {"schemaVersion":1,"state","reason","sentence","workers","since","resumeCondition","active","settled",...}',
  ].join("\n"),
  options: { ...homeOption, json: { type: "boolean" } },
  async run(args, io) {
    const status = await runningStatus(args, io);
    if (!status) {
      if (args.values.json) io.out(JSON.stringify({ schemaVersion: 1, state: "stopped", reason: "not-running", sentence: "Not contributing: edgepool work is not running." }));
      else io.out("Not contributing: edgepool work is not running. Start it with edgepool work --pool P.");
      return ExitCode.error;
    }
    if (args.values.json) io.out(JSON.stringify(status));
    else {
      io.out(status.sentence);
      for (const a of status.active) io.out(`  ${a.phase.padEnd(9)} ${a.job} replica ${a.replica}`);
      io.out(`  settled: ${status.settled.agreed} agreed, ${status.settled.disagreed} disagreed, ${status.settled.dropped} handed back`);
    }
    return ExitCode.ok;
  },
};

async function sendControl(args: ParsedArgs, io: CliIo, request: Omit<ControlRequest, "at">): Promise<ExitCode> {
  if (!(await runningStatus(args, io))) throw new CliError("edgepool work is not running under this --home; nothing to pause or resume");
  await writeJson(controlPath(resolveHome(args, io)), { at: Date.now(), ...request });
  io.err("Sent; `edgepool work status` shows the new state within a second or two.");
  return ExitCode.ok;
}

export const workPause: Command = {
  usage: [
    "usage: edgepool work pause [--for 1h] [--finish] [--home DIR]",
    "",
    "Pauses the running `edgepool work`: at once (running tasks are handed back to the queue), or with",
    "--finish after the tasks it is running. --for resumes by itself after 90s, 30m, 1h, 2d (at most 30 days).",
    HOME_USAGE,
  ].join("\n"),
  options: { ...homeOption, for: { type: "string" }, finish: { type: "boolean" } },
  run(args, io) {
    const text = stringOption(args, "for");
    const forMs = text === undefined ? undefined : parseDuration(text, "--for") * 1000;
    return sendControl(args, io, { pause: { ...(forMs !== undefined ? { forMs } : {}), finishFirst: args.values.finish === true } });
  },
};

export const workResume: Command = {
  usage: ["usage: edgepool work resume [--home DIR]", "", "Ends a pause of the running `edgepool work`.", HOME_USAGE].join("\n"),
  options: { ...homeOption },
  run: (args, io) => sendControl(args, io, { resume: true }),
};
