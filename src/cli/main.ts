import type { CliIo } from "./command.ts";
import { parseCommandArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { commands, type CommandEntry } from "./commands.ts";
import { surviveSyncWaitTimeouts } from "../core/net/sync-wait-guard-node.ts";

const usage = (): string =>
  [
    "usage: edgepool <command> [options]",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`),
    "",
    "Run `edgepool <command> --help` for the options of a command.",
  ].join("\n");

function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  // Longest match first, so `id export` wins over `id`.
  const sorted = [...commands].sort((a, b) => b.name.split(" ").length - a.name.split(" ").length);
  for (const entry of sorted) {
    const words = entry.name.split(" ");
    if (words.every((w, i) => argv[i] === w)) return { entry, rest: argv.slice(words.length) };
  }
  return undefined;
}

export const processIo = (): CliIo => ({
  out: (line) => process.stdout.write(line + "\n"),
  err: (line) => process.stderr.write(line + "\n"),
  env: process.env,
  stdinIsTty: Boolean(process.stdin.isTTY),
});

/** The `edgepool` process itself (bin/edgepool.js): `main` on the process's streams, kept alive through a peer that withholds a document. */
export function processMain(argv: string[]): Promise<ExitCode> {
  const io = processIo();
  surviveSyncWaitTimeouts(io.err);
  return main(argv, io);
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<ExitCode> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    (argv.length === 0 ? io.err : io.out)(usage());
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    io.err(`edgepool: unknown command '${argv[0]}'\n${usage()}`);
    return ExitCode.usage;
  }
  try {
    const command = await found.entry.load();
    const args = parseCommandArgs(command, found.rest);
    if (args.values.help) {
      io.out(command.usage);
      return ExitCode.ok;
    }
    return await command.run(args, { ...io, command: found.entry.name });
  } catch (error) {
    if (error instanceof CliError) {
      io.err(`edgepool ${found.entry.name}: ${error.message}`);
      return error.code;
    }
    throw error;
  }
}
