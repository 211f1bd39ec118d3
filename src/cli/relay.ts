/**
 * `edgepool relay`: a standalone relay for a pool's devices (docs/relay.md). It stores what peers
 * send in --data, so devices that are never online together still sync through it, and it is
 * untrusted: nodes validate everything they read from it. SIGTERM or Ctrl+C close every socket
 * and flush storage before the process exits.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { stringOption, type Command, type ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { resolveHome } from "./home.ts";
import { explainStartFailure, nextShutdownSignal, portOption } from "./serve.ts";
import { utf8 } from "../core/crypto/index.ts";
import { iceUrlProblem } from "../core/ledger/rules/network.ts";
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PAYLOAD, startRelay, urlHost, type RelayTurnOptions } from "../core/net/relay-node.ts";
import { DEFAULT_TURN_TTL_SECONDS } from "../core/net/turn-credentials.ts";
import { parsePoolId } from "../core/capability/pool.ts";

export const relay: Command = {
  usage: [
    "usage: edgepool relay [--port 8787] [--host 127.0.0.1] [--data DIR] [--max-connections N] [--max-message-bytes N]",
    "                      [--turn-secret-file F --turn-url URL[,URL] --turn-pool P[,P] [--turn-ttl S]]",
    "",
    "Runs a relay that the pool's nodes sync through (ws://HOST:PORT/; health at /health).",
    "For other machines, put it behind TLS and give nodes its wss:// address (docs/relay.md).",
    "Stop with Ctrl+C or SIGTERM; storage is flushed first.",
    "",
    "  --port N               the port (default 8787; 0 picks a free one)",
    "  --host ADDR            the address to listen on (default 127.0.0.1: this machine only)",
    "  --data DIR             where the relay stores documents (default: <home>/relay)",
    `  --max-connections N    sockets open at once; more get HTTP 503 (default ${DEFAULT_MAX_CONNECTIONS})`,
    `  --max-message-bytes N  the largest message; a bigger one closes its socket (default ${DEFAULT_MAX_PAYLOAD})`,
    "",
    "Short-lived TURN credentials for the members of your pools (GET /turn; docs/operators.md):",
    "  --turn-secret-file F   the secret shared with your TURN server (coturn's static-auth-secret); mode 0600",
    "  --turn-url URL         your TURN server(s): turn:host:port or turns:host:port; several: URL,URL",
    "  --turn-pool P          the pool(s) whose current members may ask; several: P,P",
    `  --turn-ttl S           how long a credential lasts, in seconds (default ${DEFAULT_TURN_TTL_SECONDS})`,
  ].join("\n"),
  options: {
    port: { type: "string" },
    host: { type: "string" },
    data: { type: "string" },
    "max-connections": { type: "string" },
    "max-message-bytes": { type: "string" },
    "turn-secret-file": { type: "string" },
    "turn-url": { type: "string" },
    "turn-pool": { type: "string" },
    "turn-ttl": { type: "string" },
  },
  async run(args, io) {
    const host = stringOption(args, "host") ?? "127.0.0.1";
    const port = portOption(args, "port", 8787);
    const data = stringOption(args, "data") ?? join(resolveHome(args, io), "relay");
    const running = await explainStartFailure(
      startRelay({
        host,
        port,
        storageDirectory: data,
        maxConnections: positiveOption(args, "max-connections", DEFAULT_MAX_CONNECTIONS),
        maxPayload: positiveOption(args, "max-message-bytes", DEFAULT_MAX_PAYLOAD),
        turn: turnOptions(args),
        log: io.err,
      }),
      port,
      "--port",
      "--data",
    );
    // Data on stdout: the address, so a script can start a relay on port 0 and read where it is.
    io.out(running.url);
    io.err(`Relay listening on ${running.url} (health: http://${urlHost(host)}:${running.port}/health), storing in ${data}`);
    const signal = await nextShutdownSignal();
    io.err(`Stopping (${signal}): closing connections and flushing storage…`);
    await running.close();
    io.err("Relay stopped.");
    return signal === "SIGINT" ? ExitCode.interrupted : ExitCode.ok;
  },
};

/** The TURN options, all or none: a secret without URLs or pools would issue credentials for nothing. */
function turnOptions(args: ParsedArgs): RelayTurnOptions | undefined {
  const [file, urls, pools] = ["turn-secret-file", "turn-url", "turn-pool"].map((name) => stringOption(args, name));
  if (file === undefined && urls === undefined && pools === undefined && stringOption(args, "turn-ttl") === undefined) return undefined;
  if (file === undefined || urls === undefined || pools === undefined) throw new CliError("TURN credentials need all of --turn-secret-file, --turn-url and --turn-pool", ExitCode.usage);
  const uris = urls.split(",").map((url) => url.trim());
  for (const url of uris) {
    const problem = url.startsWith("stun:") ? `${url} is a STUN server, which needs no credentials` : iceUrlProblem(url);
    if (problem) throw new CliError(`--turn-url: ${problem}`, ExitCode.usage);
  }
  const poolIds = pools.split(",").map((pool) => {
    const parsed = parsePoolId(pool.trim());
    if (!parsed.ok) throw new CliError(`--turn-pool: ${parsed.message}`, ExitCode.usage);
    return parsed.pool;
  });
  return { secret: readSecret(file), uris, pools: poolIds, ttlSeconds: positiveOption(args, "turn-ttl", DEFAULT_TURN_TTL_SECONDS) };
}

/** The shared secret, as coturn reads static-auth-secret: the file's text without its line end. */
function readSecret(file: string): Uint8Array {
  let text: string;
  try {
    if ((statSync(file).mode & 0o077) !== 0) throw new CliError(`--turn-secret-file: ${file} is readable by other users; run chmod 600 ${file}`, ExitCode.usage);
    text = readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`--turn-secret-file: cannot read ${file}: ${(error as Error).message}`, ExitCode.usage);
  }
  if (text.length < 16 || /\s/.test(text)) throw new CliError(`--turn-secret-file: the secret in ${file} must be one line of at least 16 characters without spaces (e.g. from \`openssl rand -hex 32\`)`, ExitCode.usage);
  return utf8(text);
}

function positiveOption(args: ParsedArgs, name: string, fallback: number): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || !Number.isSafeInteger(value)) throw new CliError(`--${name} must be a whole number above 0, got '${raw}'`, ExitCode.usage);
  return value;
}
