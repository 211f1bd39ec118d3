/**
 * `edgepool issuer`: a Privacy Pass issuer for an open pool (issue 12). The pool's admin lists it
 * with `edgepool pool issuer add`; strangers then join with a token from it instead of a stamp.
 * Attestation is the operator's: `--attest MODULE` names an ES module whose default export gets
 * `{ headers, remoteAddress }` and answers `{ ok: true, account } | { ok: false, message }`; without
 * it, the client's address is its account (weak; fine on a LAN).
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { generateIssuerKey, issuerKeyFromPem } from "../core/crypto/blind-rsa-issuer-node.ts";
import { errorCode, writeFileAtomic } from "../core/identity/atomic-file-node.ts";
import { DEFAULT_WINDOW_MS, startTokenIssuer, type Attester } from "../core/net/token-issuer-node.ts";
import { stringOption, type Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { explainStartFailure, nextShutdownSignal, portOption } from "./serve.ts";

export const issuer: Command = {
  usage: [
    "usage: edgepool issuer --key FILE [--port 8799] [--host 127.0.0.1] [--attest MODULE] [--tokens-per-week N]",
    "",
    "Runs a Privacy Pass issuer (RFC 9578, publicly verifiable tokens) for open pools. It prints its",
    "URL; list it in a pool with `edgepool pool create --open --issuer URL`.",
    "",
    "  --key FILE          the issuer's RSA key (PEM); created with mode 0600 if it does not exist",
    "  --port N            the port (default 8799; 0 picks a free one)",
    "  --host ADDR         the address to listen on (default 127.0.0.1)",
    "  --attest MODULE     an ES module whose default export decides who gets tokens (see docs/open-pools.md)",
    "  --tokens-per-week N tokens per attested account per 7 days (default 1)",
  ].join("\n"),
  options: { key: { type: "string" }, port: { type: "string" }, host: { type: "string" }, attest: { type: "string" }, "tokens-per-week": { type: "string" } },
  async run(args, io) {
    const keyPath = stringOption(args, "key");
    if (!keyPath) throw new CliError(`--key FILE is required\n${issuer.usage}`, ExitCode.usage);
    const key = issuerKeyFromPem(await readOrCreateKey(keyPath, io.err));
    if (!key.ok) throw new CliError(`${keyPath}: ${key.message}`, ExitCode.error);
    const tokensRaw = stringOption(args, "tokens-per-week") ?? "1";
    if (!/^\d+$/.test(tokensRaw) || Number(tokensRaw) < 1) throw new CliError(`--tokens-per-week must be a whole number above 0, got '${tokensRaw}'`, ExitCode.usage);
    const attestPath = stringOption(args, "attest");
    const attest = attestPath ? await loadAttester(attestPath) : undefined;
    const port = portOption(args, "port", 8799);
    const running = await explainStartFailure(
      startTokenIssuer({ host: stringOption(args, "host") ?? "127.0.0.1", port, key: key.key, tokensPerWindow: Number(tokensRaw), windowMs: DEFAULT_WINDOW_MS, ...(attest ? { attest } : {}), log: io.err }),
      port,
      "--port",
    );
    io.out(running.url);
    io.err(`Issuer listening on ${running.url} (${attest ? `attestation by ${attestPath}` : "one account per client address"}, ${tokensRaw} token(s) per week each)`);
    const signal = await nextShutdownSignal();
    await running.close();
    io.err(`Issuer stopped after issuing ${running.issued()} token(s).`);
    return signal === "SIGINT" ? ExitCode.interrupted : ExitCode.ok;
  },
};

async function readOrCreateKey(path: string, log: (line: string) => void): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (errorCode(error) !== "ENOENT") throw new CliError(`cannot read ${path}: ${(error as Error).message}`, ExitCode.error);
  }
  const pem = generateIssuerKey();
  await writeFileAtomic(path, pem, { overwrite: false });
  log(`Created a new issuer key in ${path}; keep it: pools list this key, and a new one means new listings.`);
  return pem;
}

async function loadAttester(path: string): Promise<Attester> {
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown };
  } catch (error) {
    throw new CliError(`cannot load the attestation module ${path}: ${(error as Error).message}`, ExitCode.error);
  }
  if (typeof loaded.default !== "function") throw new CliError(`${path} must export a default function (see docs/open-pools.md)`, ExitCode.usage);
  const decide = loaded.default as Attester;
  // The operator's code may throw or answer nonsense: either way the request is refused, not the issuer.
  return async (request) => {
    try {
      const answer = (await decide(request)) as unknown;
      const { ok, account, message } = (answer ?? {}) as { ok?: unknown; account?: unknown; message?: unknown };
      if (ok === true && typeof account === "string" && account.length > 0) return { ok: true, account };
      return { ok: false, message: typeof message === "string" ? message : "not attested" };
    } catch (error) {
      return { ok: false, message: `attestation failed: ${(error as Error).message}` };
    }
  };
}
