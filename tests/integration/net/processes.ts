/**
 * Real processes on loopback for the cross-process tests and the bench: `edgepool relay` and
 * ledger peers (ledger-peer.ts). Everything started is registered and stopped by `stopAll`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { freshCliBundle } from "../../../scripts/cli-bundle.mjs";
import { until } from "../../fixtures/until.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PEER_SOURCE = fileURLToPath(new URL("./ledger-peer.ts", import.meta.url));
const running = new Set<ChildProcess>();

/** How a ledger peer starts: from the CLI bundle while it is fresh (several times less CPU), else through tsx. */
function peerCommand(): string[] {
  const bundle = freshCliBundle();
  return bundle ? [fileURLToPath(new URL("ledger-peer.mjs", bundle))] : ["--import", "tsx", PEER_SOURCE];
}

function started(child: ChildProcess): ChildProcess {
  running.add(child);
  child.on("exit", () => running.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

export interface RelayProcess {
  readonly url: string;
  readonly port: number;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  readonly stderr: string[];
}

export async function relayProcess(data: string, port = 0, flags: readonly string[] = []): Promise<RelayProcess> {
  const child = started(spawn(process.execPath, ["bin/edgepool.js", "relay", "--port", String(port), "--data", data, ...flags], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] }));
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => stderr.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the relay exited (${code}): ${stderr.join("\n")}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    stderr,
    stop(signal = "SIGTERM") {
      child.kill(signal);
      return exited(child);
    },
  };
}

export class LedgerPeer {
  /** When each entry id was first seen here (ms since the epoch). */
  readonly seen = new Map<string, number>();
  readonly invalid = new Map<string, string>();
  readonly wrote: Array<{ at: number; ids: string[] }> = [];
  count = 0;
  private readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly stderr: string[] = [];

  constructor(
    readonly as: string,
    dir: string,
    relays: readonly string[],
  ) {
    this.child = started(spawn(process.execPath, [...peerCommand(), "--as", as, "--dir", dir, "--relay", relays.join(",")], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] }));
    createInterface({ input: this.child.stderr! }).on("line", (line) => this.stderr.push(line));
    this.ready = new Promise((resolve, reject) => {
      createInterface({ input: this.child.stdout! }).on("line", (line) => {
        const event = JSON.parse(line) as { event: string; at: number; ids: string[]; count: number; entries: Array<{ key: string; reason: string }> };
        if (event.event === "ready") resolve();
        if (event.event === "seen") {
          for (const id of event.ids) if (!this.seen.has(id)) this.seen.set(id, event.at);
          this.count = event.count;
        }
        if (event.event === "wrote") this.wrote.push({ at: event.at, ids: event.ids });
        if (event.event === "invalid") for (const e of event.entries) this.invalid.set(e.key, e.reason);
      });
      this.child.once("exit", (code) => reject(new Error(`peer ${as} exited (${code}): ${this.stderr.join("\n")}`)));
    });
  }

  /** Writes `n` job.submit entries; resolves with their ids. */
  async write(n: number): Promise<string[]> {
    const before = this.wrote.length;
    this.child.stdin!.write(`${JSON.stringify({ write: n })}\n`);
    await until(() => this.wrote.length > before, `${this.as} to write ${n} entries`);
    return this.wrote[before]!.ids;
  }

  has(ids: readonly string[]): boolean {
    return ids.every((id) => this.seen.has(id));
  }

  /** A clean stop (SIGTERM: flush, then exit) or a crash (SIGKILL). */
  stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    this.child.kill(signal);
    return exited(this.child);
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map((child) => {
      child.kill("SIGKILL");
      return exited(child);
    }),
  );
}
