import { describe, expect, it } from "vitest";
import { bytesToHex, hexToBytes, hmacSha1, utf8 } from "../../../../src/core/crypto/index.ts";
import { checkTurnRequest, signTurnRequest, turnCredential, type TurnRequestContext } from "../../../../src/core/net/turn-credentials.ts";
import { bob, mallory } from "../../../fixtures/identities.ts";

/** 2026-01-01T00:00:00Z. */
const T0 = 1_767_225_600_000;
const POOL = "abcdefghijklmnopqrstuvwxyz";

describe("TURN credentials (coturn's shared-secret convention)", () => {
  it("HMAC-SHA1 matches RFC 2202's first test case", () => {
    expect(bytesToHex(hmacSha1(hexToBytes("0b".repeat(20)), utf8("Hi There")))).toBe("b617318655057264e28bc0b6fb378c8ef146be00");
  });

  it("username is expiry:did and password base64(HMAC-SHA1(secret, username)), as coturn computes it", () => {
    // printf '%s' "$username" | openssl dgst -sha1 -hmac north-pole-secret-0123 -binary | base64
    const credential = turnCredential(utf8("north-pole-secret-0123"), bob.did, T0 + 999, 3_600, ["turn:turn.example.org:3478"]);
    expect(credential).toEqual({
      username: "1767229200:did:key:z6Mko9hTggMwjSTEaJaPUfE6tqcy2xvU6BnNq3e3o8qVBiyH",
      password: "AKEStOPADM/cCLcbfd1KpISWxMA=",
      ttl: 3_600,
      uris: ["turn:turn.example.org:3478"],
    });
  });
});

describe("a member's signed TURN request", () => {
  const context = (now = T0, members = [bob.did as string]): TurnRequestContext => ({
    pools: new Set([POOL]),
    isMember: async (pool, did) => (pool === POOL ? members.includes(did) : undefined),
    now: () => now,
    seen: new Map(),
  });
  const query = async (who = bob, at = T0, pool = POOL) => new URLSearchParams(await signTurnRequest(who, pool, at));

  it("is accepted once from a current member, and refused when replayed", async () => {
    const ctx = context();
    const request = await query();
    expect(await checkTurnRequest(request, ctx)).toEqual({ ok: true, pool: POOL, did: bob.did });
    expect(await checkTurnRequest(request, ctx)).toMatchObject({ ok: false, reason: "replayed" });
  });

  it("refuses a non-member, another pool, a stale time, a changed field and a malformed request, saying why", async () => {
    expect(await checkTurnRequest(await query(mallory), context())).toMatchObject({ ok: false, reason: "not-a-member", message: expect.stringContaining(mallory.did) });
    expect(await checkTurnRequest(await query(bob, T0, "zzzzzzzzzzzzzzzzzzzzzzzzzz"), context())).toMatchObject({ ok: false, reason: "unknown-pool" });
    expect(await checkTurnRequest(await query(bob, T0 - 61_000), context())).toMatchObject({ ok: false, reason: "stale" });
    const forged = await query(mallory);
    forged.set("did", bob.did);
    expect(await checkTurnRequest(forged, context())).toMatchObject({ ok: false, reason: "bad-signature" });
    for (const bad of ["", "pool=x", `pool=${POOL}&did=${bob.did}&at=1e12&sig=AA`, `pool=${POOL}&did=nope&at=${T0}&sig=AA`, `pool=${POOL}&did=${bob.did}&at=${T0}&sig=!!`]) {
      expect(await checkTurnRequest(new URLSearchParams(bad), context())).toMatchObject({ ok: false, reason: "malformed" });
    }
  });

  it("says so when the relay holds no ledger of the pool yet", async () => {
    const ctx = { ...context(), isMember: async () => undefined };
    expect(await checkTurnRequest(await query(), ctx)).toMatchObject({ ok: false, reason: "no-ledger" });
  });
});
