import type { Command } from "./command.ts";
import { serve } from "./serve.ts";
import { identityCommands } from "./identity-commands.ts";
import { runCommand } from "./run.ts";

/** Every subcommand, one file each; `main.ts` dispatches on this table. */
export const commands: readonly Command[] = [
  serve,
  ...identityCommands,
  runCommand,
];
