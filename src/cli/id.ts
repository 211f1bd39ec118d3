/** `edgepool id`: prints this node's DID, creating the identity on first use. */
import type { Command } from "./command.ts";
import { ExitCode } from "./exit-codes.ts";
import { homeOption, HOME_USAGE } from "./home.ts";
import { keystoreError, keystoreFor } from "./identity-home.ts";

export const id: Command = {
  usage: [
    "usage: edgepool id [--home DIR] [--json]",
    "",
    "Prints this node's did:key. The first run creates the identity (an Ed25519 key in",
    "DIR/identity.json, mode 0600) and says so on stderr: back it up with `edgepool id export`.",
    "",
    HOME_USAGE,
    '  --json         print {"schemaVersion":1,"did","home","created"}',
    "",
    "Exit codes: 0 ok, 4 the identity file is unreadable, damaged or readable by others.",
    "See also: edgepool id export, edgepool id import, edgepool did resolve.",
  ].join("\n"),
  options: { ...homeOption, json: { type: "boolean" } },
  async run(args, io) {
    const keystore = keystoreFor(args, io);
    const result = await keystore.create();
    if (!result.ok) throw keystoreError(result);
    const { did } = result.stored.identity;
    if (result.created) {
      io.err(`Created a new identity ${did} in ${keystore.path}.`);
      io.err("Back it up: `edgepool id export --out FILE` (losing it loses the credits it earns).");
    }
    io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, did, home: keystore.home, created: result.created }) : did);
    return ExitCode.ok;
  },
};
