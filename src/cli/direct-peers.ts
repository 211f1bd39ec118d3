/**
 * Direct peers for the commands that run a node (work, submit, jobs, result, peers): WebRTC data
 * channels to the pool's other members, signalled through the relay (core/net/direct.ts). On by
 * default with a relay; `--relay-only` turns them off (a direct connection shows each peer's IP
 * address to the other). No STUN or TURN server is asked unless given with `--ice-server`.
 */
import { startDirectPeers, type DirectPeers } from "../core/net/direct.ts";
import type { IceServer } from "../core/net/direct-peer.ts";
import { nodePeerConnectionFactory } from "../core/net/peer-connection-node.ts";
import { stringOption, type CliIo, type Options, type ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import type { PoolSession } from "./pool-ledger.ts";

export const directOptions: Options = { "relay-only": { type: "boolean" }, "ice-server": { type: "string" } };

export const DIRECT_USAGE = [
  "  --relay-only   no direct connections to other members (they would see this machine's IP address)",
  "  --ice-server URL  a STUN or TURN server for direct connections (stun:host:port, or",
  "                 turn:user:credential@host:port); several: URL,URL. Default none: only this",
  "                 machine's own addresses are tried",
];

/**
 * Parses --ice-server: `stun:host:port` or `turn:user:credential@host:port` (also turns:). The
 * user may hold colons (coturn's short-lived names are `expiry:name`); the credential, base64, holds none.
 */
export function parseIceServers(text: string | undefined): IceServer[] {
  if (text === undefined) return [];
  return text.split(",").map((item) => {
    const match = /^(stun|turns?):(?:([^@]+):([^:@]+)@)?([^@:]+|\[[0-9a-f:]+\])(?::(\d{1,5}))?(\?transport=(?:udp|tcp))?$/i.exec(item.trim());
    if (!match) throw new CliError(`--ice-server: ${JSON.stringify(item)} is not stun:host[:port] or turn:user:credential@host[:port]`, ExitCode.usage);
    const [, scheme, username, credential, host, port, transport] = match;
    if (scheme!.toLowerCase() !== "stun" && username === undefined) throw new CliError(`--ice-server: a TURN server needs user:credential@ (${item})`, ExitCode.usage);
    const urls = `${scheme}:${host}${port ? `:${port}` : ""}${transport ?? ""}`;
    return username === undefined ? { urls } : { urls, username, credential: credential! };
  });
}

/** Starts direct peers for an open pool session, unless --relay-only (then only blob requests go through the relay). */
export function startDirect(args: ParsedArgs, session: PoolSession, io: CliIo): DirectPeers {
  return startDirectPeers({
    repo: session.repo,
    ledger: session.ledger,
    identity: session.identity,
    createPeerConnection: nodePeerConnectionFactory,
    iceServers: parseIceServers(stringOption(args, "ice-server")),
    relayOnly: args.values["relay-only"] === true,
    log: process.env.EDGEPOOL_DEBUG_DIRECT ? (line) => io.err(line) : undefined,
  });
}
