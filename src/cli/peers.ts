/** `edgepool peers --pool P`: the members this node hears, and how it reaches each (direct or relay). */
import type { PeerInfo } from "../core/net/direct.ts";
import { stringOption, type Command } from "./command.ts";
import { directOptions, DIRECT_USAGE, startDirect } from "./direct-peers.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { openPool, poolArgument, poolOptions, POOL_USAGE, requirePool } from "./pool-ledger.ts";

const usage = [
  "usage: edgepool peers --pool P --relay URL [--listen S] [--json]",
  "",
  "Listens for the pool's members online now (they say hello through the relay every few seconds)",
  "and lists each with its path: direct (a WebRTC data channel) or relay, the round-trip time of the",
  "direct path, and the bytes moved over it.",
  "",
  "  --pool P       the pool id",
  "  --listen S     how long to listen, in seconds (default 8)",
  ...POOL_USAGE,
  ...DIRECT_USAGE,
  '  --json         print {"schemaVersion":1,"pool","peers":[{"did","peer","path","rttMs","bytesSent","bytesReceived","lastSeen"}]}',
].join("\n");

function listenMs(text: string | undefined): number {
  const seconds = Number(text ?? "8");
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) throw new CliError(`--listen must be a number of seconds up to 600, got ${JSON.stringify(text)}`, ExitCode.usage);
  return seconds * 1000;
}

const kib = (bytes: number): string => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

function table(peers: readonly PeerInfo[]): string {
  if (peers.length === 0) return "No member is online that this node can hear (members say hello through the relay while they run).";
  const rows = peers.map((p) => [p.did, p.path, p.rttMs === undefined ? "-" : `${p.rttMs} ms`, kib(p.bytesSent), kib(p.bytesReceived)]);
  const all = [["MEMBER", "PATH", "RTT", "SENT", "RECEIVED"], ...rows];
  const widths = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

export const peers: Command = {
  usage,
  options: { ...poolOptions, ...directOptions, pool: { type: "string" }, listen: { type: "string" }, json: { type: "boolean" } },
  async run(args, io) {
    const wait = listenMs(stringOption(args, "listen"));
    if (stringOption(args, "relay") === undefined) throw new CliError(`--relay is required: members find each other through a relay\n${usage}`, ExitCode.usage);
    const session = await openPool(args, io, poolArgument(args, usage), { readOnly: true });
    const direct = startDirect(args, session, io);
    try {
      requirePool(session);
      io.err(`Listening for members for ${wait / 1000} s...`);
      await new Promise((resolve) => setTimeout(resolve, wait));
      const found = direct.peers().sort((a, b) => (a.did < b.did ? -1 : 1));
      io.out(args.values.json === true ? JSON.stringify({ schemaVersion: 1, pool: session.pool, peers: found }) : table(found));
      return ExitCode.ok;
    } finally {
      direct.close();
      await session.close();
    }
  },
};
