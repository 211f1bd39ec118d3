/** `edgepool pool create --name N`: a new pool with this node as its root; prints the pool id. */
import { DEFAULT_POOL_SETTINGS, derivePoolId, newPoolNonce, type PoolSettings } from "../core/capability/pool.ts";
import { createPool } from "../core/ledger/writer.ts";
import { stringOption, type Command } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";
import { appendOwn, loadIdentity, openPool, poolOptions, POOL_USAGE } from "./pool-ledger.ts";

const SETTING_FLAGS = { replication: "replication", reward: "rewardPerJob", "vesting-seconds": "vestingSeconds", "lease-seconds": "leaseSeconds" } as const;

const usage = [
  "usage: edgepool pool create --name NAME [--replication K] [--reward N] [--vesting-seconds S] [--lease-seconds S] [--relay URL] [--json]",
  "",
  "Creates a pool whose root is this node's identity and prints its id. As the root you hold every",
  "ability; invite others with `edgepool invite`.",
  "",
  "  --name NAME           1 to 64 characters",
  "  --replication K       workers per job, 1-15 (default 3)",
  "  --reward N            credits per job (default 10)",
  "  --vesting-seconds S   before earned credits can be spent (default 86400)",
  "  --lease-seconds S     how long a claim holds a job (default 300)",
  ...POOL_USAGE,
  '  --json                print {"schemaVersion":1,"pool","root","settings"}',
].join("\n");

export const poolCreate: Command = {
  usage,
  options: { ...poolOptions, name: { type: "string" }, json: { type: "boolean" }, ...Object.fromEntries(Object.keys(SETTING_FLAGS).map((f) => [f, { type: "string" as const }])) },
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
    const session = await openPool(args, io, derivePoolId(identity.did, nonce), undefined, true);
    try {
      // The ledger checks the settings against the pool.create schema (its bounds are the protocol's).
      const { pool, entry } = await createPool(identity, settings as unknown as PoolSettings, nonce, Date.now());
      await appendOwn(session, entry, ExitCode.usage);
      if (!(await session.sync())) io.err("The pool is created on this node; it will reach the relay next time you sync.");
      io.err(`Created pool "${name}" with you (${identity.did}) as its root.`);
      io.out(args.values.json ? JSON.stringify({ schemaVersion: 1, pool, root: identity.did, settings }) : pool);
      return ExitCode.ok;
    } finally {
      await session.close();
    }
  },
};
