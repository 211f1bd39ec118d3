/**
 * What a simulation run is: the network, its members and their behaviour, and the pool's
 * settings. Plain data (JSON in, JSON out), so a run is reproducible from its config and seed.
 */
import type { Distribution } from "./random.ts";

export interface AdversaryConfig {
  /** Share of nodes that return wrong results (each alone, or one group when `collude`). */
  readonly malicious: number;
  /** Malicious nodes return the same wrong output for a job (one colluding group). */
  readonly collude: boolean;
  /** Share of a liar's jobs it lies on (1 = always). */
  readonly lieRate: number;
  /** Share of nodes that claim replicas and never finish them. */
  readonly claimers: number;
  /** Share of nodes that submit jobs and never run any. */
  readonly freeRiders: number;
  /** A suspended dishonest identity comes back as a new member (whitewashing). */
  readonly reentry: boolean;
  /** Jobs submitted between two re-entries of the operator's caught identities (0: each at once). */
  readonly reentryEvery: number;
  /**
   * Identities of a Sybil farm (open pools): strangers paid only by their operator, an honest
   * newcomer, for jobs the farm runs among itself; what MeritRank gives them is measured.
   */
  readonly farm: number;
  /** Share of identities that belong to Sybil operators (colluding, coordinated, computing nothing). */
  readonly sybil: number;
  /** Identities per Sybil operator. */
  readonly sybilSize: number;
}

export interface ChurnConfig {
  /** Sessions ended per node per hour (0: nodes never leave). */
  readonly rate: number;
  /** Shape of session lengths; rescaled to the mean 1/rate. */
  readonly sessions: Distribution;
  /** Share of time a node is online; offline gaps get the mean that gives it. */
  readonly availability: number;
}

export interface DeviceConfig {
  /** Task run time on a device of speed 1. */
  readonly task: Distribution;
  /** Slowest and fastest device speed (uniform between; run time is divided by speed). */
  readonly speed: readonly [number, number];
  /** Share of nodes on battery that compute only while charging and idle, in a daily window. */
  readonly battery: number;
  /** Length of that daily window in hours. */
  readonly windowHours: number;
}

export interface NetworkConfig {
  readonly delay: Distribution;
  readonly horizonMs: number;
  readonly loss: number;
}

export interface PoolConfig {
  readonly replicas: number;
  /** Chance that a k=1 job gets a hidden spot check (0..1). */
  readonly spotCheck: number;
  readonly reward: number;
  readonly leaseSeconds: number;
  readonly vestingSeconds: number;
  /** How long a job may take, from submission. */
  readonly deadlineMs: number;
  /**
   * Issue 11's mechanism: adaptive replication, checkpoint-seeded spot checks, an auditor and
   * sanctions. Off: plain majority voting (strikes cost reputation only), the baseline.
   */
  readonly incentives: boolean;
  /**
   * An open pool (issue 12): the root invites the honest members except the newcomers; newcomers
   * and every dishonest member join as strangers with a stamp (probation, reward factor).
   */
  readonly open: boolean;
  /** Share of honest members that join an open pool as strangers. */
  readonly newcomers: number;
}

export interface SimConfig {
  readonly seed: number;
  readonly nodes: number;
  readonly jobs: number;
  /** Offered load: job arrivals as a share of the honest online capacity. */
  readonly load: number;
  /** Name of the adversaries' strategy (./behaviour.ts, STRATEGIES). */
  readonly strategy: string;
  /** Name of the availability model (./behaviour.ts, AVAILABILITY). */
  readonly availabilityModel: string;
  readonly adversaries: AdversaryConfig;
  readonly churn: ChurnConfig;
  readonly devices: DeviceConfig;
  readonly network: NetworkConfig;
  readonly pool: PoolConfig;
}

export const DEFAULT_CONFIG: SimConfig = {
  seed: 1,
  nodes: 1_000,
  jobs: 10_000,
  load: 0.7,
  strategy: "naive",
  availabilityModel: "churn",
  adversaries: { malicious: 0, collude: false, lieRate: 1, claimers: 0, freeRiders: 0, sybil: 0, sybilSize: 10, reentry: false, reentryEvery: 0, farm: 0 },
  churn: { rate: 0, sessions: { kind: "exp", mean: 3_600_000 }, availability: 0.8 },
  devices: { task: { kind: "uniform", min: 20_000, max: 60_000 }, speed: [0.5, 2], battery: 0, windowHours: 8 },
  network: { delay: { kind: "exp", mean: 300 }, horizonMs: 5_000, loss: 0.001 },
  pool: { replicas: 3, spotCheck: 0, reward: 100, leaseSeconds: 300, vestingSeconds: 7 * 86_400, deadlineMs: 6 * 3_600_000, incentives: false, open: false, newcomers: 0.2 },
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type SimOverrides = DeepPartial<SimConfig>;

/** `extra` over `base`, section by section (a field absent from `extra` keeps `base`'s value). */
export function mergeOverrides(base: SimOverrides, extra: SimOverrides): SimOverrides {
  return {
    ...base,
    ...extra,
    adversaries: { ...base.adversaries, ...extra.adversaries },
    churn: { ...base.churn, ...extra.churn },
    devices: { ...base.devices, ...extra.devices },
    network: { ...base.network, ...extra.network },
    pool: { ...base.pool, ...extra.pool },
  } as SimOverrides;
}

/** The default config with some fields replaced. */
export const configWith = (overrides: SimOverrides): SimConfig => mergeOverrides(DEFAULT_CONFIG as SimOverrides, overrides) as SimConfig;

export type ConfigCheck = { ok: true } | { ok: false; message: string };

const share = (name: string, v: number): string | undefined => (v >= 0 && v <= 1 ? undefined : `${name} must be between 0 and 1, got ${v}`);

/** Checks ranges a run depends on; the message names the option at fault. */
export function checkConfig(c: SimConfig): ConfigCheck {
  const a = c.adversaries;
  const problems = [
    Number.isSafeInteger(c.seed) && c.seed >= 0 ? undefined : `--seed must be a non-negative integer, got ${c.seed}`,
    Number.isSafeInteger(c.nodes) && c.nodes >= 1 && c.nodes <= 100_000 ? undefined : `--nodes must be an integer 1..100000, got ${c.nodes}`,
    Number.isSafeInteger(c.jobs) && c.jobs >= 1 && c.jobs <= 10_000_000 ? undefined : `--jobs must be an integer 1..10000000, got ${c.jobs}`,
    Number.isSafeInteger(c.pool.replicas) && c.pool.replicas >= 1 && c.pool.replicas <= 15 ? undefined : `--replicas must be an integer 1..15, got ${c.pool.replicas}`,
    c.load > 0 && c.load <= 10 ? undefined : `--load must be in (0, 10], got ${c.load}`,
    share("--spot-check", c.pool.spotCheck),
    c.pool.spotCheck > 0 && c.pool.replicas !== 1 ? "--spot-check applies to single-replica jobs: use it with --replicas 1" : undefined,
    share("--malicious", a.malicious),
    share("--lie-rate", a.lieRate),
    share("--claimers", a.claimers),
    share("--free-riders", a.freeRiders),
    share("--sybil", a.sybil),
    a.malicious + a.claimers + a.freeRiders + a.sybil <= 1 ? undefined : "--malicious, --claimers, --free-riders and --sybil together exceed all nodes",
    Number.isSafeInteger(a.sybilSize) && a.sybilSize >= 1 ? undefined : `--sybil-size must be a positive integer, got ${a.sybilSize}`,
    Number.isSafeInteger(a.reentryEvery) && a.reentryEvery >= 0 ? undefined : `--reentry-every must be a non-negative integer, got ${a.reentryEvery}`,
    Number.isSafeInteger(a.farm) && a.farm >= 0 && (a.farm === 0 || c.pool.open) ? undefined : `--farm must be a non-negative integer, in an open pool (--open), got ${a.farm}`,
    share("--newcomers", c.pool.newcomers),
    c.churn.rate >= 0 && c.churn.rate <= 1000 ? undefined : `--churn must be in 0..1000 sessions per hour, got ${c.churn.rate}`,
    c.churn.availability > 0 && c.churn.availability <= 1 ? undefined : `--availability must be in (0, 1], got ${c.churn.availability}`,
    share("--battery", c.devices.battery),
    c.devices.windowHours > 0 && c.devices.windowHours <= 24 ? undefined : `--window must be in (0, 24] hours, got ${c.devices.windowHours}`,
    share("--loss", c.network.loss),
    c.network.horizonMs >= 1 ? undefined : "--horizon must be at least 1 ms",
  ].filter((p): p is string => p !== undefined);
  return problems.length === 0 ? { ok: true } : { ok: false, message: problems.join("; ") };
}
