/**
 * The node's identity as the identity commands see it: the file keystore under --home, with its
 * failures turned into one-line CLI errors (exit 4: no identity or permission).
 */
import { FileKeystore, type KeystoreFailure } from "../core/identity/keystore-file-node.ts";
import type { CliIo, ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { resolveHome } from "./home.ts";

export const keystoreFor = (args: ParsedArgs, io: CliIo): FileKeystore => new FileKeystore(resolveHome(args, io));

export function keystoreError(failure: KeystoreFailure): CliError {
  return new CliError(failure.message, failure.reason === "exists-different" ? ExitCode.error : ExitCode.noPermission);
}
