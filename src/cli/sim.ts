/**
 * `edgepool sim`: simulates a pool of up to 10,000+ members on the real fold (src/sim) and prints
 * what happened: jobs completed, wrong results accepted against the binomial prediction, time to a
 * verified result, wasted work, credits of honest and dishonest members, and the run's wall time.
 */
import { writeFile } from "node:fs/promises";
import { STRATEGIES } from "../sim/behaviour.ts";
import { configWith, type SimOverrides } from "../sim/config.ts";
import { simulate } from "../sim/index.ts";
import { parseDistribution, type Distribution } from "../sim/random.ts";
import { renderReport } from "../sim/report.ts";
import { stringOption, type Command, type ParsedArgs } from "./command.ts";
import { CliError, ExitCode } from "./exit-codes.ts";

const usage = `usage: edgepool sim [--nodes 1000] [--jobs 10000] [--replicas 3] [--spot-check 0] [--malicious 0]
                    [--collude] [--churn 0] [--seed 1] [--out FILE] [--json] [more options below]

Simulates a pool: members come and go, claim, run, commit and reveal jobs, and the real ledger
fold decides leases, verdicts, credits and reputation (signatures and sync are a cost model).
  --nodes N          members (default 1000)            --jobs N         jobs submitted (default 10000)
  --replicas K       replicas per job, k (default 3)   --spot-check P   chance a k=1 job gets a hidden second replica
  --malicious P      share of members returning wrong results (default 0)
  --collude          the malicious members return the same wrong output (one colluding group)
  --lie-rate P       share of its jobs a malicious member lies on (default 1)
  --claimers P       share that claim replicas and never finish them
  --free-riders P    share that submit jobs and never run any
  --sybil P          share of identities run by Sybil operators (colluding, coordinated, computing nothing)
  --sybil-size N     identities per Sybil operator (default 10)
  --strategy NAME    how dishonest members answer: ${Object.keys(STRATEGIES).join(", ")} (default naive)
  --incentives       issue 11's mechanism: adaptive replication, hidden spot checks, an auditor, sanctions
                     (default: plain majority voting)
  --adversary-online dishonest members never go offline while honest ones churn (--availability A)
  --reentry          a suspended dishonest identity rejoins as a new member
  --reentry-every N  jobs submitted between two re-entries (default 0: each at once)
  --open             an open pool: newcomers and dishonest members join as strangers with a stamp
  --newcomers P      share of honest members that join an open pool as strangers (default 0.2)
  --farm N           a Sybil farm of N stranger identities paid by one honest newcomer (open pools)
  --churn R          sessions ended per member per hour (default 0: nobody leaves)
  --availability A   share of time a member is online under churn (default 0.8)
  --sessions DIST    shape of session lengths (default exp:3600; rescaled to 1/R hours)
  --battery P        share of devices that compute only in a daily charging window
  --window H         that window's length in hours (default 8)
  --task DIST        run time of a task on a speed-1 device (default uniform:20:60)
  --delay DIST       network delay of an entry (default exp:0.3)   --loss P  chance an entry is lost (default 0.001)
  --horizon MS       sync horizon: later entries count as lost; readers see the ledger this far back (default 5000)
  --load L           job arrivals as a share of the honest online capacity (default 0.7)
  --lease S          lease in seconds (default 300)    --seed N         random seed (default 1)
  --out FILE         also write the report as JSON     --json           print the JSON report instead of the table
DIST is exp:MEAN, pareto:MIN:ALPHA, uniform:MIN:MAX or fixed:VALUE, in seconds.
Exit codes: 0 ok, 1 could not write --out, 2 usage.`;

const NUMBER_OPTIONS = ["nodes", "jobs", "replicas", "spot-check", "malicious", "lie-rate", "claimers", "free-riders", "sybil", "sybil-size", "reentry-every", "farm", "newcomers", "churn", "availability", "battery", "window", "loss", "horizon", "load", "lease", "seed"];
const DIST_OPTIONS = ["sessions", "task", "delay"];

function numberOption(args: ParsedArgs, name: string): number | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) throw new CliError(`--${name} must be a number, got '${raw}'\n${usage}`, ExitCode.usage);
  return value;
}

function distOption(args: ParsedArgs, name: string): Distribution | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  const parsed = parseDistribution(raw);
  if (!parsed.ok) throw new CliError(`--${name}: ${parsed.message}`, ExitCode.usage);
  return parsed.dist;
}

/** The run's config from the command line; absent options keep their defaults. */
export function overridesFrom(args: ParsedArgs): SimOverrides {
  const n = Object.fromEntries(NUMBER_OPTIONS.map((name) => [name, numberOption(args, name)]));
  const d = Object.fromEntries(DIST_OPTIONS.map((name) => [name, distOption(args, name)]));
  const strategy = stringOption(args, "strategy");
  if (strategy !== undefined && !STRATEGIES[strategy]) throw new CliError(`unknown --strategy '${strategy}'; choose from ${Object.keys(STRATEGIES).join(", ")}`, ExitCode.usage);
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return defined({
    seed: n.seed,
    nodes: n.nodes,
    jobs: n.jobs,
    load: n.load,
    strategy,
    availabilityModel: args.values["adversary-online"] === true ? "adversary-online" : undefined,
    adversaries: defined({ reentry: args.values.reentry === true ? true : undefined, malicious: n.malicious, collude: args.values.collude === true ? true : undefined, lieRate: n["lie-rate"], claimers: n.claimers, freeRiders: n["free-riders"], sybil: n.sybil, sybilSize: n["sybil-size"], reentryEvery: n["reentry-every"], farm: n.farm }),
    churn: defined({ rate: n.churn, availability: n.availability, sessions: d.sessions }),
    devices: defined({ task: d.task, battery: n.battery, windowHours: n.window }),
    network: defined({ delay: d.delay, loss: n.loss, horizonMs: n.horizon }),
    pool: defined({ replicas: n.replicas, spotCheck: n["spot-check"], leaseSeconds: n.lease, incentives: args.values.incentives === true ? true : undefined, open: args.values.open === true ? true : undefined, newcomers: n.newcomers }),
  });
}

export const sim: Command = {
  usage,
  options: {
    ...Object.fromEntries([...NUMBER_OPTIONS, ...DIST_OPTIONS, "strategy", "out"].map((name) => [name, { type: "string" as const }])),
    collude: { type: "boolean" },
    incentives: { type: "boolean" },
    "adversary-online": { type: "boolean" },
    reentry: { type: "boolean" },
    open: { type: "boolean" },
    json: { type: "boolean" },
  },
  async run(args, io) {
    if (args.positionals.length > 0) throw new CliError(`unexpected argument '${args.positionals[0]}'\n${usage}`, ExitCode.usage);
    const config = configWith(overridesFrom(args));
    io.err(`simulating ${config.nodes} members and ${config.jobs} jobs (seed ${config.seed})...`);
    const outcome = simulate(config);
    if (!outcome.ok) throw new CliError(`${outcome.message}\n${usage}`, ExitCode.usage);
    const json = JSON.stringify(outcome.report, null, 2);
    const out = stringOption(args, "out");
    if (out !== undefined) {
      try {
        await writeFile(out, `${json}\n`);
      } catch (cause) {
        throw new CliError(`could not write ${out}: ${(cause as Error).message}`, ExitCode.error);
      }
    }
    if (args.values.json) io.out(json);
    else for (const line of renderReport(outcome.report)) io.out(line);
    return ExitCode.ok;
  },
};
