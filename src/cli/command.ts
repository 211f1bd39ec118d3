import { parseArgs, type ParseArgsConfig } from "node:util";
import { CliError, ExitCode } from "./exit-codes.ts";

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** One subcommand's usage text, options and action; its name and summary live in `commands.ts`. */
export interface Command {
  readonly usage: string;
  readonly options: Options;
  run(args: ParsedArgs, io: CliIo): Promise<ExitCode>;
}

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/** Where a command writes: data to `out`, progress and errors to `err` (UX.md 15). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  readonly env: NodeJS.ProcessEnv;
  readonly stdinIsTty: boolean;
  /** The command running, e.g. "work" (named in its writer lock, so a second writer is told what to stop). */
  readonly command?: string;
}

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals };
  } catch (cause) {
    throw new CliError(`${(cause as Error).message}\n${command.usage}`, ExitCode.usage);
  }
}

/** Reads a string option, or undefined when absent. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}
