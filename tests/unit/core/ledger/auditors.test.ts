import { describe, expect, it } from "vitest";
import { hasAuditors, setMember } from "../../../../src/core/ledger/auditors.ts";
import { cloneState, emptyState, type LedgerState } from "../../../../src/core/ledger/state.ts";
import { alice, carol, dave } from "../../../fixtures/identities.ts";

const join = (state: LedgerState, did: string, abilities: string[], since = 1): void =>
  setMember(state, did, { abilities: abilities as never, by: alice.did, since });

describe("hasAuditors", () => {
  it("follows joins made after it was first asked (the index is kept up to date, not rebuilt)", () => {
    const state = emptyState();
    join(state, alice.did, ["pool/admin"]);
    join(state, carol.did, ["job/run"]);
    expect(hasAuditors(state)).toBe(false);
    join(state, dave.did, ["job/audit", "job/run"]);
    expect(hasAuditors(state)).toBe(true);
  });

  it("counts only a current, unsuspended holder of job/audit", () => {
    const state = emptyState();
    join(state, dave.did, ["job/audit"]);
    expect(hasAuditors(state)).toBe(true);
    state.standing[dave.did] = { suspended: { time: 2, reason: "colluded" } } as never;
    expect(hasAuditors(state)).toBe(false);
    delete state.standing[dave.did];
    state.members[dave.did]!.revoked = 3;
    expect(hasAuditors(state)).toBe(false);
    // Rejoining without the ability replaces the record: the old index entry no longer counts.
    join(state, dave.did, ["job/run"], 4);
    expect(hasAuditors(state)).toBe(false);
  });

  it("answers the same for a copy of the state (a new members map builds its own index)", () => {
    const state = emptyState();
    join(state, carol.did, ["job/run"]);
    expect(hasAuditors(state)).toBe(false);
    join(state, dave.did, ["job/audit"]);
    const copy = cloneState(state);
    expect(hasAuditors(copy)).toBe(true);
    copy.members[dave.did]!.revoked = 5;
    expect(hasAuditors(copy)).toBe(false);
    expect(hasAuditors(state)).toBe(true);
  });
});
