/** The identity subcommands (issue 2), registered in commands.ts as one group. */
import type { Command } from "./command.ts";
import { id } from "./id.ts";
import { idExport } from "./id-export.ts";
import { idImport } from "./id-import.ts";
import { didResolve } from "./did-resolve.ts";

export const identityCommands: readonly Command[] = [id, idExport, idImport, didResolve];
