/**
 * The node's home directory, where its identity, relay storage and settings live. Precedence as
 * UX.md 15 orders config: the default (~/.edgepool) < EDGEPOOL_HOME < the --home flag.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { stringOption, type CliIo, type Options, type ParsedArgs } from "./command.ts";

/** Spread into a command's options: `options: { ...homeOption, ... }`. */
export const homeOption: Options = { home: { type: "string" } };

export const HOME_USAGE = "  --home DIR     the node's directory (default: $EDGEPOOL_HOME or ~/.edgepool)";

export function resolveHome(args: ParsedArgs, io: CliIo): string {
  return resolve(stringOption(args, "home") ?? io.env.EDGEPOOL_HOME ?? join(homedir(), ".edgepool"));
}
