/**
 * `edgepool run <task.wasm> --input FILE`: runs one task locally in a sandboxed worker, with the
 * same checks and limits a job gets, and prints its output and how long it took.
 */
import { readFile, writeFile } from "node:fs/promises";
import { TaskPool } from "../core/runtime/index.ts";
import type { TaskFailure } from "../core/runtime/index.ts";
import { createNodeWorkerHost } from "../core/runtime/worker-host-node.ts";
import { bytesToHex } from "../core/crypto/index.ts";
import { stringOption } from "./command.ts";
import type { Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";

const usage = `usage: edgepool run <task.wasm> --input FILE [--timeout 5s] [--memory 64MiB] [--out FILE] [--json]

Runs one WebAssembly task (see wasm-tasks/README.md for the ABI) in a sandboxed worker.
  --input FILE    the task's input bytes ('-' reads stdin)
  --timeout D     wall-time limit: 500ms, 5s, 2m (default 5s)
  --memory M      memory cap: 65536, 512KiB, 64MiB, 1GiB (default 64MiB)
  --out FILE      write the output bytes to FILE instead of stdout
  --json          print {schemaVersion, hash, durationMs, outputBytes, output} or the failure
Without --out, output that is UTF-8 text is printed as text, anything else as hex.
Exit codes: 0 ok, 1 module refused or unreadable file, 2 usage, 3 timed out, 5 task failed.`;

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000 };
const SIZE_UNITS: Record<string, number> = { "": 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

function parseQuantity(text: string, units: Record<string, number>, what: string, example: string): number {
  const match = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(text.trim());
  const scale = match ? units[match[2]!] : undefined;
  if (!match || scale === undefined) throw new CliError(`${what} '${text}' is not understood; write it like ${example}`, ExitCode.usage);
  const value = Math.floor(Number(match[1]) * scale);
  if (value <= 0) throw new CliError(`${what} must be greater than zero`, ExitCode.usage);
  return value;
}

export async function readInput(path: string): Promise<Uint8Array> {
  try {
    if (path !== "-") return new Uint8Array(await readFile(path));
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  } catch (error) {
    throw new CliError(`cannot read ${path === "-" ? "stdin" : path}: ${(error as Error).message}`);
  }
}

export function printable(output: Uint8Array): { utf8: string } | { hex: string } {
  try {
    return { utf8: new TextDecoder("utf-8", { fatal: true }).decode(output) };
  } catch {
    return { hex: bytesToHex(output) };
  }
}

const exitCodeOf = (reason: TaskFailure): ExitCode => (reason === "timeout" ? ExitCode.timedOut : ExitCode.jobFailed);

export const runCommand: Command = {
  usage,
  options: {
    input: { type: "string" },
    timeout: { type: "string" },
    memory: { type: "string" },
    out: { type: "string" },
    json: { type: "boolean" },
  },
  async run(args, io) {
    const [modulePath, ...extra] = args.positionals;
    const inputPath = stringOption(args, "input");
    if (!modulePath || extra.length > 0 || !inputPath) throw new CliError(`give one task module and --input FILE\n${usage}`, ExitCode.usage);
    const timeoutMs = parseQuantity(stringOption(args, "timeout") ?? "5s", DURATION_UNITS, "--timeout", "5s or 500ms");
    const maxMemoryBytes = parseQuantity(stringOption(args, "memory") ?? "64MiB", SIZE_UNITS, "--memory", "64MiB");
    const moduleBytes = await readInput(modulePath);
    const input = await readInput(inputPath);
    const json = args.values.json === true;
    const outPath = stringOption(args, "out");

    const pool = new TaskPool({ host: createNodeWorkerHost(), workers: 1, limits: { timeoutMs, maxMemoryBytes } });
    try {
      const loaded = await pool.load(moduleBytes);
      if (!loaded.ok) {
        if (json) io.out(JSON.stringify({ schemaVersion: 1, ok: false, reason: loaded.reason, message: loaded.message }));
        throw new CliError(`${modulePath} was refused (${loaded.reason}): ${loaded.message}`);
      }
      const result = await pool.run(loaded.task, input);
      const hash = loaded.task.hash;
      if (!result.ok) {
        if (json) io.out(JSON.stringify({ schemaVersion: 1, ok: false, hash, reason: result.reason, message: result.message }));
        throw new CliError(`the task failed (${result.reason}): ${result.message}`, exitCodeOf(result.reason));
      }
      if (outPath) await writeFile(outPath, result.output);
      const durationMs = Math.round(result.durationMs * 1000) / 1000;
      if (json) {
        const output = outPath ? { file: outPath } : printable(result.output);
        io.out(JSON.stringify({ schemaVersion: 1, ok: true, hash, durationMs, outputBytes: result.output.length, output }));
      } else if (!outPath) {
        const shown = printable(result.output);
        // io.out ends the line itself: drop one final newline so stdout carries the exact text.
        io.out("utf8" in shown ? shown.utf8.replace(/\n$/, "") : shown.hex);
      }
      io.err(`ran ${hash.slice(0, 12)} in ${durationMs} ms, ${result.output.length} bytes of output${outPath ? ` written to ${outPath}` : ""}`);
      return ExitCode.ok;
    } finally {
      pool.close();
    }
  },
};
