/**
 * `edgepool pool network --pool P`: how the pool's members connect directly (pool.network, an
 * admin's entry): the STUN/TURN servers they may ask, and whether direct connections are off for
 * everyone. Without a change it prints the current settings.
 */
import { setPoolNetwork } from "../core/ledger/membership.ts";
import { iceUrlProblem } from "../core/ledger/rules/network.ts";
import { stringOption, type Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { openPool, poolArgument, poolOptions, POOL_USAGE, requirePool } from "./pool-ledger.ts";

const usage = [
  "usage: edgepool pool network --pool P [--ice URL,URL | --no-ice] [--relay-only | --direct] [--relay URL] [--json]",
  "",
  "Shows or sets how the pool's members connect to each other directly (WebRTC). By default no STUN",
  "or TURN server is asked (only members' own addresses are tried) and direct connections are on.",
  "A direct connection shows each member's IP address to the other: a private pool may turn them",
  "off for everyone with --relay-only. You need pool/admin. The settings replace the previous ones.",
  "",
  "  --pool P       the pool id",
  "  --ice URLS     the STUN and TURN servers members may ask: stun:host[:port], turn:host[:port]",
  "                 [?transport=udp|tcp] or turns:...; several: URL,URL (at most 8). No credentials:",
  "                 members get short-lived TURN credentials from your relay (docs/operators.md)",
  "  --no-ice       no STUN or TURN server",
  "  --relay-only   no direct connections: every byte goes through relays",
  "  --direct       direct connections allowed (the default)",
  ...POOL_USAGE,
  '  --json         print {"schemaVersion":1,"pool","ice":[...],"relayOnly":bool}',
  "",
  "Exit codes: 0 done, 1 error, 2 usage, 4 you are not an admin of the pool.",
].join("\n");

function iceOption(text: string | undefined, none: boolean): string[] | undefined {
  if (none && text !== undefined) throw new CliError("give --ice or --no-ice, not both", ExitCode.usage);
  if (none) return [];
  if (text === undefined) return undefined;
  const urls = text.split(",").map((url) => url.trim());
  for (const url of urls) {
    const problem = iceUrlProblem(url);
    if (problem) throw new CliError(`--ice: ${problem}`, ExitCode.usage);
  }
  if (urls.length > 8 || new Set(urls).size !== urls.length) throw new CliError("--ice: at most 8 distinct URLs", ExitCode.usage);
  return urls;
}

export const poolNetwork: Command = {
  usage,
  options: { ...poolOptions, pool: { type: "string" }, ice: { type: "string" }, "no-ice": { type: "boolean" }, "relay-only": { type: "boolean" }, direct: { type: "boolean" }, json: { type: "boolean" } },
  async run(args, io) {
    const pool = poolArgument(args, usage);
    const ice = iceOption(stringOption(args, "ice"), args.values["no-ice"] === true);
    const [relayOnly, direct] = [args.values["relay-only"] === true, args.values.direct === true];
    if (relayOnly && direct) throw new CliError("give --relay-only or --direct, not both", ExitCode.usage);
    const changing = ice !== undefined || relayOnly || direct;
    const session = await openPool(args, io, pool, { readOnly: !changing });
    try {
      const current = requirePool(session).network ?? { ice: [], relayOnly: false };
      const wanted = { ice: ice ?? current.ice, relayOnly: relayOnly || (!direct && current.relayOnly) };
      if (changing) {
        const set = await setPoolNetwork(session.ledger, session.identity, wanted, Date.now());
        if (!set.ok) throw new CliError(`${set.reason}: ${set.message}`, set.reason === "not-authorised" || set.reason === "not-a-member" ? ExitCode.noPermission : ExitCode.error);
        if (!(await session.sync())) io.err("Set on this node; it reaches the pool when this node next syncs with a peer or relay.");
      }
      const shown = requirePool(session).network ?? current;
      io.out(args.values.json === true ? JSON.stringify({ schemaVersion: 1, pool, ice: shown.ice, relayOnly: shown.relayOnly }) : `ice: ${shown.ice.length === 0 ? "none" : shown.ice.join(", ")}\ndirect connections: ${shown.relayOnly ? "off (relay only)" : "on"}`);
      return ExitCode.ok;
    } finally {
      await session.close();
    }
  },
};
