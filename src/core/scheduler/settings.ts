/** The user's contribution settings and the user's own pause, checked at the boundary. */

export interface ContributionSettings {
  /** The master switch. */
  readonly contribute: boolean;
  readonly onlyWhenCharging: boolean;
  /** Stop on battery below this percentage (0 turns the rule off). */
  readonly minimumBatteryPercent: number;
  readonly onlyWhenIdle: boolean;
  /** At most this many workers; undefined means the default, cores - 1 (UX.md 6). */
  readonly maxCores: number | undefined;
}

export const DEFAULT_SETTINGS: ContributionSettings = {
  contribute: true,
  onlyWhenCharging: false,
  minimumBatteryPercent: 30,
  onlyWhenIdle: false,
  maxCores: undefined,
};

/** A pause the user asked for: `pause`, `pause --for 1h`, `pause --finish`. */
export interface UserPause {
  /** When the user asked (the "since" of the pause). */
  readonly since: number;
  /** Resume by itself at this time; undefined pauses until the user resumes. */
  readonly until: number | undefined;
  /** Let the running tasks finish, but start no new one. */
  readonly finishFirst: boolean;
}

/** What the user asked for, beside the settings: a pause, or nothing. */
export interface UserIntent {
  readonly pause: UserPause | undefined;
}

export const NO_INTENT: UserIntent = { pause: undefined };

/** Workers we may run on this device: the user's maximum, else cores - 1, always 1..cores. */
export function coreLimit(settings: ContributionSettings, hardwareCores: number): number {
  const cores = Math.max(1, Math.floor(hardwareCores));
  const wanted = settings.maxCores ?? cores - 1;
  return Math.min(cores, Math.max(1, wanted));
}

export type SettingsErrorReason = "not-an-object" | "invalid-field";
export type SettingsResult =
  | { ok: true; settings: ContributionSettings }
  | { ok: false; reason: SettingsErrorReason; message: string };

const fail = (reason: SettingsErrorReason, message: string): SettingsResult => ({ ok: false, reason, message });

/**
 * Reads settings from untrusted input (a config file, a form, `EDGEPOOL_*` variables): missing
 * fields take their default, wrong ones are refused with the field named.
 */
export function parseSettings(input: unknown): SettingsResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return fail("not-an-object", "contribution settings must be an object");
  const raw = input as Record<string, unknown>;
  for (const key of ["contribute", "onlyWhenCharging", "onlyWhenIdle"] as const) {
    if (raw[key] !== undefined && typeof raw[key] !== "boolean") return fail("invalid-field", `${key} must be true or false, got ${JSON.stringify(raw[key])}`);
  }
  const min = raw.minimumBatteryPercent;
  if (min !== undefined && !(typeof min === "number" && Number.isInteger(min) && min >= 0 && min <= 90)) {
    // 90 at most: resuming needs 10 points above the minimum, and 100 % must stay reachable.
    return fail("invalid-field", `minimumBatteryPercent must be a whole number from 0 to 90, got ${JSON.stringify(min)}`);
  }
  const max = raw.maxCores;
  if (max !== undefined && !(typeof max === "number" && Number.isInteger(max) && max >= 1 && max <= 1024)) {
    return fail("invalid-field", `maxCores must be a whole number of at least 1, got ${JSON.stringify(max)}`);
  }
  return {
    ok: true,
    settings: {
      contribute: (raw.contribute as boolean | undefined) ?? DEFAULT_SETTINGS.contribute,
      onlyWhenCharging: (raw.onlyWhenCharging as boolean | undefined) ?? DEFAULT_SETTINGS.onlyWhenCharging,
      minimumBatteryPercent: min ?? DEFAULT_SETTINGS.minimumBatteryPercent,
      onlyWhenIdle: (raw.onlyWhenIdle as boolean | undefined) ?? DEFAULT_SETTINGS.onlyWhenIdle,
      maxCores: max ?? DEFAULT_SETTINGS.maxCores,
    },
  };
}
