import { describe, expect, it } from "vitest";
import { decideEpoch } from "../../../../src/core/ledger/epoch-policy.ts";

const policy = { epochEntries: 100, epochBytes: 10_000 };

describe("when a checkpoint starts the next epoch", () => {
  it("starts the next epoch once the current one holds enough entries, or bytes, and says which", () => {
    expect(decideEpoch({ epoch: 0, entries: 100, bytes: 0 }, policy)).toEqual({ start: true, epoch: 1, reason: "entries" });
    expect(decideEpoch({ epoch: 3, entries: 5, bytes: 10_000 }, policy)).toEqual({ start: true, epoch: 4, reason: "bytes" });
  });

  it("keeps a small epoch", () => {
    expect(decideEpoch({ epoch: 2, entries: 99, bytes: 9_999 }, policy)).toEqual({ start: false, reason: "small" });
  });
});
