/**
 * Reconnection delays. Exponential, so a relay that is down is not hammered by every node at a
 * fixed interval (the stock adapter retries every 5 s forever); with jitter, so nodes that lost
 * the same relay at the same instant do not all come back in the same millisecond when it returns.
 */
export interface Backoff {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** Upper bound of any delay. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000 };

/**
 * The delay before retry number `attempt` (0 = first): the capped exponential `initialMs * 2^attempt`,
 * scaled into [half, whole] by `random()` ("equal jitter": never zero, never above the cap).
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
