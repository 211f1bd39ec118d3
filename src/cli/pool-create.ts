/** `edgepool pool create --name N`: a new pool with this node as its root; prints the pool id. */
import { DEFAULT_POOL_SETTINGS, derivePoolId, newPoolNonce, type PoolSettings } from "../core/capability/pool.ts";
import { createPool } from "../core/ledger/writer.ts";
import { stringOption, type Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { appendOwn, loadIdentity, openPool, poolOptions, POOL_USAGE } from "./pool-ledger.ts";
import { DEFAULT_STAMP_BITS, MAX_STAMP_BITS } from "../core/capability/join-stamp.ts";
import { issuerKeyOf } from "../core/net/join-token-fetch.ts";
import type { EntryWriter } from "../core/ledger/writer.ts";
import type { SignedEntry } from "../core/ledger/types.ts";
import type { ParsedArgs } from "./command.ts";
import { maxRewardOption } from "./pool-anonymous.ts";

const SETTING_FLAGS = { replication: "replication", reward: "rewardPerJob", "vesting-seconds": "vestingSeconds", "lease-seconds": "leaseSeconds" } as const;

const usage = [
  "usage: edgepool pool create --name NAME [--replication K] [--reward N] [--vesting-seconds S] [--lease-seconds S]",
  "                            [--private | --plain | --open [--pow-bits N] [--issuer URL [--anonymous-reward N]]] [--relay URL] [--json]",
  "",
  "Creates a pool whose root is this node's identity and prints its id. As the root you hold every",
  "ability; invite others with `edgepool invite`.",
  "",
  "  --name NAME           1 to 64 characters",
  "  --replication K       workers per job, 1-15 (default 3)",
  "  --reward N            credits per job (default 10)",
  "  --vesting-seconds S   before earned credits can be spent (default 86400)",
  "  --lease-seconds S     how long a claim holds a job (default 300)",
  "  --private             the default for an invite-only pool: the ledger and job data are sealed end to",
  "                        end, relays store and forward only ciphertext, and removing a member rotates",
  "                        the key (docs/privacy.md)",
  "  --plain               keep the ledger and job data readable by relays (e.g. a pool meant to be",
  "                        publicly audited)",
  "  --open                let strangers join without an invite, paying with a stamp or a token (see",
  "                        `edgepool join --pool`); they can run and submit jobs only",
  `  --pow-bits N          the stamp's difficulty in bits, 0 for tokens only (default ${DEFAULT_STAMP_BITS}: ~20 s of one core)`,
  "  --issuer URL          also accept tokens from this Privacy Pass issuer (`edgepool issuer`)",
  "  --anonymous-reward N  also take anonymous jobs (`edgepool submit --anonymous`: one issuer token each,",
  "                        from a key used once) offering at most N credits, paid by the pool's fund",
  ...POOL_USAGE,
  '  --json                print {"schemaVersion":1,"pool","root","settings","private"}',
].join("\n");

export const poolCreate: Command = {
  usage,
  options: { ...poolOptions, name: { type: "string" }, json: { type: "boolean" }, open: { type: "boolean" }, private: { type: "boolean" }, plain: { type: "boolean" }, "pow-bits": { type: "string" }, issuer: { type: "string" }, "anonymous-reward": { type: "string" }, ...Object.fromEntries(Object.keys(SETTING_FLAGS).map((f) => [f, { type: "string" as const }])) },
  async run(args, io) {
    const name = stringOption(args, "name");
    if (name === undefined) throw new CliError(`--name is required\n${usage}`, ExitCode.usage);
    const settings: Record<string, unknown> = { name, ...DEFAULT_POOL_SETTINGS };
    for (const [flag, key] of Object.entries(SETTING_FLAGS)) {
      const value = stringOption(args, flag);
      if (value !== undefined) settings[key] = /^\d+$/.test(value) ? Number(value) : value;
    }
    const identity = await loadIdentity(args, io);
    const nonce = newPoolNonce();
    // The ledger checks the settings against the pool.create schema (its bounds are the protocol's).
    const open = openSettings(args);
    const sealed = privateSetting(args, open !== undefined);
    const { pool, entry, writer } = await createPool(identity, settings as unknown as PoolSettings, nonce, Date.now(), open);
    const session = await openPool(args, io, pool, { fresh: true, ...(sealed ? { private: { kind: "create", entries: [entry] } } : {}) });
    try {
      if (!sealed) await appendOwn(session, entry, ExitCode.usage);
      const issuerUrl = stringOption(args, "issuer");
      if (issuerUrl !== undefined) await appendOwn(session, await listIssuer(writer, issuerUrl), ExitCode.usage);
      const maxReward = anonymousReward(args);
      if (maxReward !== undefined) await appendOwn(session, await writer.write("pool.anonymous", { enabled: 1, maxReward }, Date.now()), ExitCode.usage);
      if (!(await session.sync())) io.err("The pool is created on this node; it will reach the relay next time you sync.");
      io.err(`Created ${sealed ? "private " : ""}pool "${name}" with you (${identity.did}) as its root.${sealed ? " Relays see only ciphertext." : ""}`);
      io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, pool, root: identity.did, settings, private: sealed }) : pool);
      return ExitCode.ok;
    } finally {
      await session.close();
    }
  },
};

/** Whether the new pool's ledger is sealed: the default for an invite-only pool (issue 13); --plain opts out. */
function privateSetting(args: ParsedArgs, open: boolean): boolean {
  if (args.values.private === true && args.values.plain === true) throw new CliError("--private and --plain exclude each other", ExitCode.usage);
  if (open && args.values.private === true) throw new CliError("an --open pool admits strangers, so its ledger cannot be private: drop --private", ExitCode.usage);
  return !open && args.values.plain !== true;
}

function openSettings(args: ParsedArgs): { stampBits: number } | undefined {
  const bitsText = stringOption(args, "pow-bits");
  if (args.values.open !== true) {
    if (bitsText !== undefined || stringOption(args, "issuer") !== undefined) throw new CliError("--pow-bits and --issuer need --open", ExitCode.usage);
    return undefined;
  }
  const stampBits = bitsText === undefined ? DEFAULT_STAMP_BITS : Number(bitsText);
  if (!/^\d+$/.test(bitsText ?? "0") || stampBits > MAX_STAMP_BITS) throw new CliError(`--pow-bits must be a whole number from 0 to ${MAX_STAMP_BITS}, got '${bitsText}'`, ExitCode.usage);
  if (stampBits === 0 && stringOption(args, "issuer") === undefined) throw new CliError("--pow-bits 0 means tokens only: name an --issuer", ExitCode.usage);
  return { stampBits };
}

/** --anonymous-reward: the most an anonymous job may offer; it needs an issuer whose tokens the submissions spend. */
function anonymousReward(args: ParsedArgs): number | undefined {
  const text = stringOption(args, "anonymous-reward");
  if (text === undefined) return undefined;
  if (stringOption(args, "issuer") === undefined) throw new CliError("--anonymous-reward needs --open and an --issuer: each anonymous job spends one of its tokens", ExitCode.usage);
  return maxRewardOption(text, "--anonymous-reward");
}

/** A pool.issuer entry for the issuer at `url`, with the key its directory publishes. */
async function listIssuer(writer: EntryWriter, url: string): Promise<SignedEntry> {
  const key = await issuerKeyOf(url);
  if (!key.ok) throw new CliError(key.message, ExitCode.error);
  return writer.write("pool.issuer", { url, key: key.key }, Date.now());
}
