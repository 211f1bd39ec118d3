/**
 * The abilities of a pool, as data (STYLE.md, "rules as data"). Every capability in a pool chain
 * is `{ with: poolResource(pool), can: <ability> }`; `pool/admin` stands for every ability.
 */
import type { PoolId } from "./pool.ts";

export const ABILITIES = {
  "pool/admin": "administer the pool: every ability below, and change its settings",
  "member/invite": "invite new members (delegate abilities one holds to others)",
  "job/submit": "submit jobs to the pool",
  "job/run": "claim and run jobs, commit and reveal results",
  "ledger/checkpoint": "write ledger checkpoints",
  "job/audit": "audit job results (reserved for the auditing issue)",
} as const;

export type Ability = keyof typeof ABILITIES;

export const ALL_ABILITIES = Object.keys(ABILITIES) as readonly Ability[];

export const isAbility = (value: unknown): value is Ability => typeof value === "string" && Object.hasOwn(ABILITIES, value);

/** What holding `abilities` lets one do: `pool/admin` implies all of them. */
export function expandAbilities(abilities: Iterable<Ability>): ReadonlySet<Ability> {
  const held = new Set(abilities);
  return held.has("pool/admin") ? new Set(ALL_ABILITIES) : held;
}

export type AbilityListResult = { ok: true; abilities: Ability[] } | { ok: false; message: string };

/** Parses a comma-separated list such as `job/submit,job/run` (CLI `--can`). */
export function parseAbilityList(text: string): AbilityListResult {
  const names = text.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) return { ok: false, message: `no abilities given; choose from ${ALL_ABILITIES.join(", ")}` };
  const unknown = names.filter((n) => !isAbility(n));
  if (unknown.length > 0) {
    return { ok: false, message: `unknown abilit${unknown.length > 1 ? "ies" : "y"} ${unknown.join(", ")}; choose from ${ALL_ABILITIES.join(", ")}` };
  }
  return { ok: true, abilities: [...new Set(names as Ability[])].sort() };
}

const RESOURCE_PREFIX = "edgepool:pool/";

/** The UCAN resource (`with`) that names a pool. */
export const poolResource = (pool: PoolId): string => RESOURCE_PREFIX + pool;
