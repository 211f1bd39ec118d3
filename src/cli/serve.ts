/**
 * `edgepool serve`: the built app and a local relay on this machine, until Ctrl+C. This is what
 * `npm start` runs after the build.
 */
import { createServer } from "node:http";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringOption, type Command, type ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { homeOption, resolveHome, HOME_USAGE } from "./home.ts";
import { staticFileHandler } from "./static-files.ts";
import { startRelay, listen, urlHost } from "../core/net/relay-node.ts";

const DIST = fileURLToPath(new URL("../../dist", import.meta.url));

export const serve: Command = {
  usage: [
    "usage: edgepool serve [--port 8080] [--host 127.0.0.1] [--relay-port 8081] [--home DIR]",
    "",
    "Serves the built app (run `npm run build` first, or use `npm start`) and a relay that",
    "browsers and nodes on this machine sync through. Stop with Ctrl+C.",
    "",
    "  --port N        the app's port (default 8080; 0 picks a free one)",
    "  --host ADDR     the address to listen on (default 127.0.0.1: this machine only)",
    "  --relay-port N  the relay's port (default 8081; 0 picks a free one)",
    HOME_USAGE,
  ].join("\n"),
  options: { port: { type: "string" }, host: { type: "string" }, "relay-port": { type: "string" }, ...homeOption },
  async run(args, io) {
    const host = stringOption(args, "host") ?? "127.0.0.1";
    const port = portOption(args, "port", 8080);
    const relayPort = portOption(args, "relay-port", 8081);
    await assertBuilt();

    const relay = await explainStartFailure(
      startRelay({ host, port: relayPort, storageDirectory: join(resolveHome(args, io), "relay"), log: io.err }),
      relayPort,
      "--relay-port",
    );
    const app = createServer(staticFileHandler(DIST));
    app.on("clientError", (_error, socket) => socket.destroy());
    const appPort = await explainStartFailure(listen(app, host, port), port, "--port").catch(async (error: unknown) => {
      await relay.close();
      throw error;
    });

    io.out(`EdgePool is running: open http://${urlHost(host)}:${appPort}/`);
    io.out(`Relay: ${relay.url} (health: http://${urlHost(host)}:${relay.port}/health)`);
    io.err("Press Ctrl+C to stop.");

    const signal = await nextShutdownSignal();
    io.err(`Stopping (${signal})…`);
    app.closeAllConnections();
    await Promise.all([new Promise<void>((done) => app.close(() => done())), relay.close()]);
    return signal === "SIGINT" ? ExitCode.interrupted : ExitCode.ok;
  },
};

export function portOption(args: ParsedArgs, name: string, fallback: number): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new CliError(`--${name} must be a port number from 0 to 65535, got '${raw}'`, ExitCode.usage);
  return port;
}

async function assertBuilt(): Promise<void> {
  try {
    await access(join(DIST, "index.html"));
  } catch {
    throw new CliError(`no built app in ${DIST}: run \`npm run build\` first (or \`npm start\`, which builds and serves)`);
  }
}

/** Turns a failure to start (port in use, storage not writable) into what to do about it. */
export async function explainStartFailure<T>(starting: Promise<T>, port: number, flag: string, storageFlag = "--home"): Promise<T> {
  try {
    return await starting;
  } catch (error) {
    const { code, syscall, path } = error as NodeJS.ErrnoException;
    if (syscall === "listen" && code === "EADDRINUSE") throw new CliError(`port ${port} is already in use: stop what uses it, or pass ${flag} with another port (0 picks a free one)`);
    if (syscall === "listen" && code === "EACCES") throw new CliError(`no permission to listen on port ${port}: pass ${flag} with a port above 1023`);
    if (syscall === "mkdir") throw new CliError(`cannot create the relay's storage at ${path} (${code}): pass ${storageFlag} with a directory you can write to`);
    throw error;
  }
}

export function nextShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
