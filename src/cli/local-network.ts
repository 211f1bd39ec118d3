/**
 * A pool on this machine, as separate processes: the pool's root in this process (it creates the
 * pool, invites, submits), and worker processes that join with the invite link (`edgepool join`)
 * and contribute (`edgepool work`), each with its own --home and log file. Used by `edgepool
 * demo`, the cross-process job tests and the network bench; every process started is stopped by
 * `stop()`, in reverse order.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunningRelay } from "../core/net/relay-node.ts";
import { parseCommandArgs, type CliIo, type Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { invite } from "./invite.ts";
import { openJobNode, type JobSession } from "./job-session.ts";
import { poolCreate } from "./pool-create.ts";

const BIN = fileURLToPath(new URL("../../bin/edgepool.js", import.meta.url));

/** A member that joined the pool: its home directory, log file and DID. */
export interface Member {
  readonly index: number;
  readonly home: string;
  readonly log: string;
  readonly did: string;
}

export interface PoolOptions {
  readonly replication: number;
  readonly leaseSeconds: number;
  /** How many workers the invite link admits. */
  readonly uses: number;
}

export class Stage {
  readonly children = new Set<ChildProcess>();
  relay: RunningRelay | undefined;
  node: JobSession | undefined;
  pool = "";
  link = "";
  private stopping = false;

  constructor(
    /** Where homes and logs go. */
    readonly dir: string,
    readonly io: CliIo,
  ) {}

  spawn(args: string[], log: string): ChildProcess {
    // A process started after stop() would outlive everything (an interrupted demo still joining).
    if (this.stopping) throw new CliError("the local network is stopping; no new process starts");
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const file = createWriteStream(log, { flags: "a" });
    child.stdout!.pipe(file, { end: false });
    child.stderr!.pipe(file, { end: false });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    return child;
  }

  /** Creates the pool with this process as its root, an invite link for the workers, and opens the root's node. */
  async createPool(relay: string, options: PoolOptions): Promise<void> {
    const home = ["--home", join(this.dir, "owner"), "--relay", relay];
    const settings = ["--replication", String(options.replication), "--reward", "10", "--lease-seconds", String(options.leaseSeconds), "--vesting-seconds", "60"];
    // Plain: the demo shows the ledger as it is (a private pool's relay would show only ciphertext).
    this.pool = await this.run(poolCreate, ["--plain", "--name", "local", ...settings, ...home]);
    this.link = await this.run(invite, ["--pool", this.pool, "--can", "job/run", "--uses", String(options.uses), "--ttl", "1h", ...home]);
    this.node = await openJobNode({ values: { home: home[1], relay, pool: this.pool }, positionals: [] }, { ...this.io, err: () => {} }, "");
  }

  /** `edgepool join` with the invite link, as worker `index`; resolves once it joined. */
  async join(index: number, relay: string): Promise<Member> {
    const home = join(this.dir, `worker-${index}`);
    const log = join(this.dir, `worker-${index}.log`);
    const joining = this.spawn(["join", this.link, "--relay", relay, "--home", home, "--json"], log);
    let joined = "";
    joining.stdout!.on("data", (chunk: Buffer) => (joined += chunk.toString()));
    if ((await exited(joining)) !== 0) throw new CliError(`worker ${index} could not join the pool; see ${log}`);
    return { index, home, log, did: (JSON.parse(joined) as { member: string }).member };
  }

  /** `edgepool work` for a member that joined (one core; `dishonest` flips its outputs; tasks get 60 s on a loaded machine). */
  work(member: Member, relay: string, dishonest = false): ChildProcess {
    const args = ["work", "--pool", this.pool, "--relay", relay, "--home", member.home, "--cores", "1", "--ignore-cpu-load", "--task-seconds", "60"];
    return this.spawn(dishonest ? [...args, "--dishonest"] : args, member.log);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.children].map((child) => stopChild(child)));
    await this.node?.close();
    await this.relay?.close();
  }

  /** Runs a pool command in this process (they are quick) and returns its stdout. */
  private async run(command: Command, argv: string[]): Promise<string> {
    const out: string[] = [];
    const errors: string[] = [];
    try {
      const code = await command.run(parseCommandArgs(command, argv), { ...this.io, out: (line) => out.push(line), err: (line) => errors.push(line) });
      if (code !== ExitCode.ok) throw new CliError(errors.join("\n"));
    } catch (error) {
      throw new CliError(`setting up the local pool failed: ${(error as Error).message}`);
    }
    return out.join("\n");
  }
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once("exit", (code) => done(code)));
}

/** SIGTERM (a worker hands its tasks back), then SIGKILL after 5 s. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  const done = exited(child);
  child.kill(signal);
  setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
  return done;
}
