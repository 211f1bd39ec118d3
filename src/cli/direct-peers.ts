/**
 * Direct peers for the commands that run a node (work, submit, jobs, result, peers): WebRTC data
 * channels to the pool's other members, signalled through the relay (core/net/direct.ts). On by
 * default with a relay; `--relay-only` turns them off (a direct connection shows each peer's IP
 * address to the other), and so does a pool whose ledger says relay-only (pool.network). No STUN or
 * TURN server is asked unless the pool lists it or `--ice-server` gives it.
 */
import { iceUrlProblem } from "../core/ledger/rules/network.ts";
import { startDirectPeers, type DirectPeers } from "../core/net/direct.ts";
import type { IceServer } from "../core/net/direct-peer.ts";
import { nodePeerConnectionFactory } from "../core/net/peer-connection-node.ts";
import { sealedSignals } from "../core/privacy/sealed-signals.ts";
import { stringOption, type CliIo, type Options, type ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import type { PoolSession } from "./pool-ledger.ts";

export const directOptions: Options = { "relay-only": { type: "boolean" }, "ice-server": { type: "string" } };

export const DIRECT_USAGE = [
  "  --relay-only   no direct connections to other members (they would see this machine's IP address)",
  "  --ice-server URL  a STUN or TURN server for direct connections (stun:host:port, or",
  "                 turn:user:credential@host:port); several: URL,URL. Besides these, the pool's",
  "                 own (`edgepool pool network`); default none: only this machine's addresses are tried",
];

/**
 * Parses --ice-server: `stun:host:port` or `turn:user:credential@host:port` (also turns:), the URL
 * itself checked as the ledger checks a pool's (iceUrlProblem). The user may hold colons (coturn's
 * short-lived names are `expiry:name`); the credential, base64, holds none.
 */
export function parseIceServers(text: string | undefined): IceServer[] {
  if (text === undefined) return [];
  return text.split(",").map((item) => {
    const match = /^(stun:|turns?:)(?:([^@]+):([^:@]+)@)?(.*)$/i.exec(item.trim());
    const url = match ? `${match[1]!.toLowerCase()}${match[4]}` : item.trim();
    const problem = iceUrlProblem(url);
    if (problem) throw new CliError(`--ice-server: ${problem}`, ExitCode.usage);
    const [, scheme, username, credential] = match!;
    const stun = scheme!.toLowerCase() === "stun:";
    if (stun && username !== undefined) throw new CliError(`--ice-server: a STUN server takes no user:credential@ (${url})`, ExitCode.usage);
    if (!stun && username === undefined) throw new CliError(`--ice-server: a TURN server needs user:credential@ (${url}); the pool's own TURN servers get theirs from its relay`, ExitCode.usage);
    return username === undefined ? { urls: url } : { urls: url, username, credential: credential! };
  });
}

/**
 * Starts direct peers for an open pool session, unless --relay-only (then only blob requests go
 * through the relay). The pool's own STUN/TURN servers come from its ledger, TURN credentials
 * from the first relay.
 */
export function startDirect(args: ParsedArgs, session: PoolSession, io: CliIo): DirectPeers {
  return startDirectPeers({
    repo: session.repo,
    ledger: session.ledger,
    identity: session.identity,
    createPeerConnection: nodePeerConnectionFactory,
    iceServers: parseIceServers(stringOption(args, "ice-server")),
    turnRelay: stringOption(args, "relay")?.split(",")[0],
    relayOnly: args.values["relay-only"] === true,
    log: process.env.EDGEPOOL_DEBUG_DIRECT ? (line) => io.err(line) : undefined,
    // A private pool's ledger document never leaves this process: its signals go sealed on the epoch's.
    ...(session.privacy ? { signals: sealedSignals(session.privacy) } : {}),
  });
}
