/** `edgepool did resolve <did>`: the DID document of an Ed25519 did:key, as JSON. */
import type { Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { resolveDidKey } from "../core/identity/did-document.ts";

export const didResolve: Command = {
  usage: [
    "usage: edgepool did resolve <did:key:z6Mk…>",
    "",
    "Prints the DID document (did:key spec v0.9 form: Multikey methods, the Ed25519 key for",
    "authentication and assertion, the derived X25519 key in keyAgreement). The output is",
    "always JSON; --json is accepted like on every read command.",
    "",
    "Exit codes: 0 resolved, 1 not a usable Ed25519 did:key (the one-line error says why),",
    "2 no DID given. DID URLs (with #fragment, /path or ?query) and other key types are refused.",
  ].join("\n"),
  options: { json: { type: "boolean" } },
  async run(args, io) {
    const [input, ...extra] = args.positionals;
    if (input === undefined || extra.length > 0) throw new CliError(`expected exactly one DID\n${didResolve.usage}`, ExitCode.usage);
    const result = resolveDidKey(input);
    if (!result.ok) throw new CliError(`cannot resolve ${JSON.stringify(input.slice(0, 80))}: ${result.message} (${result.reason})`);
    io.out(JSON.stringify(result.document, undefined, 2));
    return ExitCode.ok;
  },
};
