/**
 * `edgepool demo`: the whole network on this machine. A relay, a pool whose root is this process,
 * three honest worker processes and a dishonest one (`edgepool join`, then `edgepool work`)
 * invited into it, and a batch of Mandelbrot tiles with replication 2: a tile the liar computed
 * has no majority, escalates to 4 replicas, and the three honest workers outvote it. Shows progress, writes the assembled
 * image as a PNG and prints who earned what. Every process it started stops when it ends or on Ctrl+C.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { EntryId } from "../core/ledger/types.ts";
import { startRelay } from "../core/net/relay-node.ts";
import { stringOption, type CliIo, type Command } from "./command.ts";
import { assemble, creditTable, IMAGE, progressBar, tiles, type Worker } from "./demo-report.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { resolveTask, type JobSession } from "./job-session.ts";
import { Stage } from "./local-network.ts";
import { encodePng } from "./png.ts";

const usage = [
  "usage: edgepool demo [--out edgepool-demo.png] [--dir DIR] [--timeout 600]",
  "",
  "Starts a relay, three worker processes and a fourth that lies about its results, on this machine;",
  "creates a pool, invites the workers, and submits Mandelbrot tiles, each computed by 2 workers",
  "and accepted only when a majority agrees. Writes the image and prints credits and reputation.",
  "",
  "  --out FILE     where to write the image (default edgepool-demo.png)",
  "  --dir DIR      keep the relay's, the pool's and the workers' files here (default: a temporary",
  "                 directory, removed at the end); each worker's log is DIR/worker-N.log",
  "  --timeout S    give up after S seconds (default 600; exit 3)",
].join("\n");

export const demo: Command = {
  usage,
  options: { out: { type: "string" }, dir: { type: "string" }, timeout: { type: "string" } },
  async run(args, io) {
    const out = resolve(stringOption(args, "out") ?? "edgepool-demo.png");
    const timeoutS = Number(stringOption(args, "timeout") ?? "600");
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new CliError(`--timeout must be a number of seconds, got ${JSON.stringify(stringOption(args, "timeout"))}`, ExitCode.usage);
    const kept = stringOption(args, "dir");
    const dir = kept ? resolve(kept) : await mkdtemp(join(tmpdir(), "edgepool-demo-"));
    const stage = new Stage(dir, io);
    let interrupt: () => void = () => {};
    const interrupted = new Promise<ExitCode>((done) => (interrupt = () => done(ExitCode.interrupted)));
    const onSignal = (): void => {
      io.err("\nStopping the demo's processes…");
      interrupt();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    let result: ExitCode;
    try {
      // The tiles get until the deadline; the backstop covers a start-up that hangs (a worker that never joins).
      const deadline = Date.now() + timeoutS * 1000;
      const demoRun = runDemo(stage, out, io, deadline);
      // Stopping the stage makes an unfinished run fail (a join whose process was stopped): that is the interruption, not an error.
      demoRun.catch(() => undefined);
      result = await Promise.race([
        demoRun,
        interrupted,
        new Promise<ExitCode>((done) => setTimeout(() => done(ExitCode.timedOut), timeoutS * 1000 + 60_000).unref()),
      ]);
      if (result === ExitCode.timedOut) io.err(`The demo did not finish within ${timeoutS} s. ${kept ? `Worker logs are in ${dir}.` : "Pass --dir DIR to keep the workers' logs."}`);
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await stage.stop();
      if (!kept) await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    }
    // What the interrupted run still awaits must not keep the process alive.
    if (result === ExitCode.interrupted) process.exit(result);
    return result;
  },
};

async function runDemo(stage: Stage, out: string, io: CliIo, deadline: number): Promise<ExitCode> {
  stage.relay = await startRelay({ host: "127.0.0.1", port: 0, storageDirectory: join(stage.dir, "relay"), log: () => {} });
  const relay = stage.relay.url;
  io.err(`Relay on ${relay}`);
  await stage.createPool(relay, { replication: 2, leaseSeconds: 20, uses: 4 });
  io.err(`Pool ${stage.pool} created; starting three honest workers and a dishonest one (worker-4)…`);
  const workers = await Promise.all(
    [1, 2, 3, 4].map(async (i): Promise<Worker> => {
      const member = await stage.join(i, relay);
      stage.work(member, relay, i === 4);
      return { name: `worker-${i}`, did: member.did, dishonest: i === 4 };
    }),
  );
  const node = stage.node!.node;
  const mandelbrot = await resolveTask("mandelbrot");
  const batch = tiles();
  const jobDeadline = Date.now() + 30 * 60_000;
  const jobs: EntryId[] = [];
  for (const submitted of await node.jobs.submitMany(batch.map((tile) => ({ module: mandelbrot, input: tile.input, replicas: 2, reward: 10, deadline: jobDeadline })))) {
    if (!submitted.ok) throw new CliError(`submitting a tile failed: ${submitted.reason}: ${submitted.message}`);
    jobs.push(submitted.job);
  }
  io.err(`Submitted ${jobs.length} tiles (${IMAGE.width}x${IMAGE.height} px), 2 workers each.`);
  const settled = await watchProgress(stage.node!, jobs, io, deadline);

  const parts = await Promise.all(batch.map(async (tile, i) => ({ tile, rgba: await tileOutput(stage.node!, jobs[i]!) })));
  await writeFile(out, encodePng(IMAGE.width, IMAGE.height, assemble(parts)));
  const missing = parts.filter((p) => !p.rgba).length;
  io.err(`Wrote ${out}${missing ? ` (${missing} tiles missing: their jobs ${settled ? "failed" : "had no verdict in time"})` : ""}.`);
  await node.ledger.settled();
  for (const line of creditTable(node.ledger.state, workers)) io.out(line);
  if (!settled) return ExitCode.timedOut;
  return missing === 0 ? ExitCode.ok : ExitCode.jobFailed;
}

async function tileOutput(session: JobSession, job: EntryId): Promise<Uint8Array | undefined> {
  if (session.node.jobs.status(job)?.status !== "done") return undefined;
  const result = await session.node.jobs.result(job, 30_000);
  return result.ok ? result.bytes : undefined;
}

/** Redraws a progress bar on a terminal (one line per change otherwise); true once every job settled, false at the deadline. */
function watchProgress(session: JobSession, jobs: readonly EntryId[], io: CliIo, deadline: number): Promise<boolean> {
  const tty = Boolean(process.stderr.isTTY) && !io.env.NO_COLOR;
  let last = "";
  return new Promise((done) => {
    const check = (): void => {
      const statuses = jobs.map((job) => session.node.jobs.status(job)?.status);
      const finished = statuses.filter((s) => s === "done").length;
      const failed = statuses.filter((s) => s === "failed").length;
      const line = progressBar(finished, failed, jobs.length);
      if (line !== last) {
        if (tty) process.stderr.write(`\r${line}`);
        else io.err(line);
        last = line;
      }
      const complete = finished + failed === jobs.length;
      if (complete || Date.now() > deadline) {
        if (tty) process.stderr.write("\n");
        if (!complete) io.err(`Time is up (--timeout): ${jobs.length - finished - failed} tiles have no verdict yet.`);
        stop();
        done(complete);
      }
    };
    const unsubscribe = session.node.ledger.subscribe(check);
    // Deadlines pass without an entry; look now and then as well.
    const timer = setInterval(check, 1_000);
    timer.unref();
    const stop = (): void => {
      unsubscribe();
      clearInterval(timer);
    };
    check();
  });
}
