/**
 * The published UCAN 0.8.1 fixtures (../shared/vectors/ucan-0.8.1-spec-fixtures.json): every valid
 * token passes decoding, signatures and the chain checks; every invalid one is refused with the
 * reason that corresponds to the fixture's expected error.
 */
import { describe, expect, it } from "vitest";
import { readVectors } from "../../../fixtures/vectors.ts";
import { TokenVerifier, checkTimes } from "../../../../src/core/capability/chain.ts";
import type { RefusalReason } from "../../../../src/core/capability/refusal.ts";

interface Fixture {
  comment: string;
  token: string;
  assertions: { payload?: { nbf?: number }; validationErrors?: string[]; typeErrors?: string[] };
}
const fixtures = readVectors<{ valid: Fixture[]; invalid: Fixture[] }>("ucan-0.8.1-spec-fixtures.json");

const expectedReason: Record<string, RefusalReason> = {
  base64Invalid: "malformed",
  headerMalformed: "malformed",
  payloadMalformed: "malformed",
  signatureMalformed: "malformed",
  algInvalidAlgorithm: "malformed",
  typInvalidType: "malformed",
  issInvalidDidKey: "malformed",
  audInvalidDidKey: "malformed",
  attInvalidResource: "malformed",
  attInvalidAbility: "malformed",
  ucvInvalidVersion: "unsupported-version",
  expExpired: "expired",
  nbfNotReady: "not-yet-valid",
  expWitnessTimeBoundExceeded: "outlives-proof",
  // The fixture's misaligned proof is addressed to a did:key whose key is not in the prime-order
  // subgroup (no signature could ever be valid for it), which our decoder refuses first.
  prfWitnessNotAligned: "malformed",
  prfWitnessVersionMismatch: "unsupported-version",
  prfWitnessDoesNotExist: "missing-proof",
};

const now = Math.floor(Date.now() / 1000);

/** valid[7] and valid[8] start in 2122-2123: they test the time relation to their proof, so judge them then. */
function validFrom(fixture: Fixture): number {
  const nbf = fixture.assertions.payload?.nbf;
  return nbf !== undefined && nbf > now ? nbf : now;
}

async function judge(fixture: Fixture, at: number) {
  const result = await new TokenVerifier().verify(fixture.token);
  if (!result.ok) return result;
  return checkTimes(result.verified, at) ?? result;
}

describe("UCAN 0.8.1 spec fixtures", () => {
  it.each(fixtures.valid.map((f, i) => [i, f.comment, f] as const))("accepts valid[%i]: %s", async (_i, _comment, fixture) => {
    const verdict = await judge(fixture, validFrom(fixture));
    expect(verdict).toMatchObject({ ok: true });
  });

  it.each(fixtures.invalid.map((f, i) => [i, f.comment, f] as const))("refuses invalid[%i]: %s", async (_i, _comment, fixture) => {
    const verdict = await judge(fixture, now);
    expect(verdict.ok).toBe(false);
    const expectedCode = fixture.assertions.validationErrors?.[0];
    // typeErrors (a field of the wrong type or missing) are all "malformed".
    const expected = expectedCode ? expectedReason[expectedCode] : "malformed";
    expect(verdict).toMatchObject({ reason: expected });
    expect((verdict as { message: string }).message.length).toBeGreaterThan(10);
  });
});
