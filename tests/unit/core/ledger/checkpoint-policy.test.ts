import { describe, expect, it } from "vitest";
import { decideCheckpoint, type CheckpointPolicy, type CheckpointSituation } from "../../../../src/core/ledger/checkpoint-policy.ts";

const MINUTE = 60_000;
const policy: CheckpointPolicy = { everyMs: 10 * MINUTE, everyEntries: 100, settleMs: 2 * MINUTE, minGapMs: 2 * MINUTE };
const NOW = 1_000 * MINUTE;
/** A pool made an hour ago, online for half an hour, last checkpoint through 5 minutes ago. */
const base: CheckpointSituation = { now: NOW, created: NOW - 60 * MINUTE, lastThrough: NOW - 5 * MINUTE, sinceCheckpoint: 0, deadlines: [], connectedSince: NOW - 30 * MINUTE, lastWrite: undefined };

describe("when a node writes its next checkpoint", () => {
  it("writes none without a pool, without a peer, or with nothing new and no invite to close", () => {
    expect(decideCheckpoint({ ...base, created: undefined }, policy)).toEqual({ at: undefined, reason: "no-pool" });
    expect(decideCheckpoint({ ...base, connectedSince: undefined, sinceCheckpoint: 1_000 }, policy)).toEqual({ at: undefined, reason: "offline" });
    expect(decideCheckpoint(base, policy)).toEqual({ at: undefined, reason: "idle" });
  });

  it("with new entries, writes everyMs after the last one, or at once past everyEntries", () => {
    expect(decideCheckpoint({ ...base, sinceCheckpoint: 1 }, policy)).toEqual({ at: NOW - 3 * MINUTE + 10 * MINUTE, reason: "interval" });
    expect(decideCheckpoint({ ...base, sinceCheckpoint: 100 }, policy)).toEqual({ at: NOW, reason: "entries" });
    expect(decideCheckpoint({ ...base, lastThrough: undefined, sinceCheckpoint: 3 }, policy)).toEqual({ at: NOW, reason: "interval" });
  });

  it("closes an invite once its deadline is settled, and ignores deadlines a checkpoint already passed", () => {
    const deadline = NOW + 7 * MINUTE;
    expect(decideCheckpoint({ ...base, deadlines: [NOW - 6 * MINUTE, deadline] }, policy)).toEqual({ at: deadline + 2 * MINUTE, reason: "invite-deadline" });
    expect(decideCheckpoint({ ...base, deadlines: [NOW - 4 * MINUTE] }, policy)).toEqual({ at: NOW, reason: "invite-deadline" });
  });

  it("waits for a new connection to settle, for its minimum gap, and until through can pass the last one", () => {
    const due = { ...base, sinceCheckpoint: 100 };
    expect(decideCheckpoint({ ...due, connectedSince: NOW - 10_000 }, policy).at).toBe(NOW - 10_000 + 2 * MINUTE);
    expect(decideCheckpoint({ ...due, lastWrite: NOW - MINUTE }, policy).at).toBe(NOW + MINUTE);
    expect(decideCheckpoint({ ...due, lastThrough: NOW - MINUTE }, policy).at).toBe(NOW + MINUTE + 1);
  });
});
