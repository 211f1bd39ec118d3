/**
 * `edgepool work --pool P [--cores N] [--relay URL]`: contributes this machine's CPU to the pool
 * until stopped, printing one line per job. The device policy (docs/scheduler.md) decides how
 * many workers run; `edgepool work status|pause|resume` talk to it through HOME/work/.
 */
import { unlink } from "node:fs/promises";
import type { WorkerEvent } from "../core/jobs/worker.ts";
import type { EdgeNode } from "../core/node.ts";
import { nodeContribution } from "../core/node-node.ts";
import { stringOption, type CliIo, type Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { resolveHome } from "./home.ts";
import { directOptions, DIRECT_USAGE } from "./direct-peers.ts";
import { openJobNode } from "./job-session.ts";
import { poolOptions, POOL_USAGE } from "./pool-ledger.ts";
import { controlPath, readJson, statusPath, writeJson, type ControlRequest, type WorkStatusFile } from "./work-control.ts";

const usage = [
  "usage: edgepool work --pool P [--cores N] [--relay URL]",
  "",
  "Contributes to the pool until stopped (Ctrl-C): claims jobs, runs them in sandboxed workers,",
  "commits and reveals the results. Prints one line per job on stdout, the contribution status on",
  "stderr. See `edgepool work status`, `work pause [--for 1h] [--finish]` and `work resume`.",
  "",
  "  --pool P       the pool id",
  "  --cores N      at most N workers (default: cores - 1)",
  "  --task-seconds S  stop a task after S seconds of wall time (default 5; long tiles need more)",
  "  --dishonest    lie about every output (for demonstrations: the pool rejects it)",
  "  --ignore-cpu-load  keep working however busy the CPU is (the demo: the load is its own workers)",
  ...POOL_USAGE,
  ...DIRECT_USAGE,
].join("\n");

const CONTROL_POLL_MS = 1_000;

function line(event: WorkerEvent): string {
  const what: Record<WorkerEvent["type"], string> = {
    claimed: "claimed replica " + ("replica" in event ? event.replica : ""),
    renewed: "renewed its lease",
    committed: "ran and committed" + ("ms" in event ? ` (${Math.round(event.ms / 100) / 10} s)` : ""),
    revealed: "revealed",
    settled: "settled: " + ("agreed" in event && event.agreed ? "agreed with the majority (credits vest)" : "disagreed with the majority"),
    dropped: "handed back: " + ("reason" in event ? event.reason : ""),
  };
  return `${new Date().toISOString().slice(11, 19)} ${event.job} ${what[event.type]}`;
}

function taskTimeoutMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 3600) throw new CliError(`--task-seconds must be a whole number from 1 to 3600, got ${JSON.stringify(text)}`, ExitCode.usage);
  return Number(text) * 1000;
}

function cores(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 256) throw new CliError(`--cores must be a whole number from 1 to 256, got ${JSON.stringify(text)}`, ExitCode.usage);
  return Number(text);
}

/** Keeps HOME/work/status.json current and applies requests from control.json. */
function watchControl(node: EdgeNode, home: string, pool: string): { stop(): Promise<void> } {
  const settled = { agreed: 0, disagreed: 0, dropped: 0 };
  let lastControl = Date.now();
  const status = (state?: string): WorkStatusFile => {
    const work = node.workStatus()!;
    const { decision } = work;
    return {
      schemaVersion: 1,
      pid: process.pid,
      pool,
      did: node.did,
      updated: Date.now(),
      state: state ?? decision.state,
      reason: decision.reason,
      sentence: decision.sentence,
      workers: decision.workers,
      since: decision.since,
      ...(decision.resumeCondition ? { resumeCondition: decision.resumeCondition } : {}),
      active: work.active,
      settled: { ...settled },
    };
  };
  // One write at a time, in order: the file always shows the latest status.
  let writing = Promise.resolve();
  const write = (state?: string): Promise<void> => {
    const next = status(state);
    writing = writing.then(() => writeJson(statusPath(home), next)).catch(() => undefined);
    return writing;
  };
  const offWorker = node.on("worker", (event) => {
    if (event.type === "settled") settled[event.agreed ? "agreed" : "disagreed"]++;
    if (event.type === "dropped") settled.dropped++;
    void write();
  });
  const offDecision = node.on("decision", () => void write());
  const timer = setInterval(() => {
    void readJson<ControlRequest>(controlPath(home)).then((request) => {
      if (!request || request.at <= lastControl) return;
      lastControl = request.at;
      if (request.resume) node.scheduler!.resume();
      else if (request.pause) node.scheduler!.pause(request.pause);
      void write();
    });
  }, CONTROL_POLL_MS);
  void write();
  return {
    async stop() {
      clearInterval(timer);
      offWorker();
      offDecision();
      await write("stopped");
      await unlink(controlPath(home)).catch(() => undefined);
    },
  };
}

const stopped = (): Promise<ExitCode> =>
  new Promise((resolve) => {
    process.once("SIGINT", () => resolve(ExitCode.interrupted));
    process.once("SIGTERM", () => resolve(ExitCode.ok));
  });

export const work: Command = {
  usage,
  options: { ...poolOptions, ...directOptions, pool: { type: "string" }, cores: { type: "string" }, "task-seconds": { type: "string" }, dishonest: { type: "boolean" }, "ignore-cpu-load": { type: "boolean" } },
  async run(args, io: CliIo) {
    const maxCores = cores(stringOption(args, "cores"));
    const timeoutMs = taskTimeoutMs(stringOption(args, "task-seconds"));
    const contributing = await nodeContribution({ settings: { maxCores }, dishonest: args.values.dishonest === true, ignoreCpuLoad: args.values["ignore-cpu-load"] === true });
    const contribution = timeoutMs === undefined ? contributing : { ...contributing, limits: { timeoutMs } };
    const opened = await openJobNode(args, io, usage, contribution);
    const { node, session } = opened;
    const control = watchControl(node, resolveHome(args, io), session.pool);
    io.err(`Contributing to pool ${session.pool} as ${node.did}. ${node.workStatus()!.decision.sentence}`);
    node.on("decision", (decision) => io.err(decision.sentence));
    node.on("worker", (event) => io.out(line(event)));
    try {
      return await stopped();
    } finally {
      io.err("Stopping: running tasks are handed back when their leases run out.");
      await control.stop();
      await opened.close();
    }
  },
};
