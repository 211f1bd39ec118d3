/**
 * `edgepool relay`: a standalone relay for a pool's devices (docs/relay.md). It stores what peers
 * send in --data, so devices that are never online together still sync through it, and it is
 * untrusted: nodes validate everything they read from it. SIGTERM or Ctrl+C close every socket
 * and flush storage before the process exits.
 */
import { join } from "node:path";
import { stringOption, type Command, type ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { resolveHome } from "./home.ts";
import { explainStartFailure, nextShutdownSignal, portOption } from "./serve.ts";
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PAYLOAD, startRelay, urlHost } from "../core/net/relay-node.ts";

export const relay: Command = {
  usage: [
    "usage: edgepool relay [--port 8787] [--host 127.0.0.1] [--data DIR] [--max-connections N] [--max-message-bytes N]",
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
  ].join("\n"),
  options: {
    port: { type: "string" },
    host: { type: "string" },
    data: { type: "string" },
    "max-connections": { type: "string" },
    "max-message-bytes": { type: "string" },
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

function positiveOption(args: ParsedArgs, name: string, fallback: number): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || !Number.isSafeInteger(value)) throw new CliError(`--${name} must be a whole number above 0, got '${raw}'`, ExitCode.usage);
  return value;
}
