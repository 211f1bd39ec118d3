import { describe, expect, it } from "vitest";
import { checkJoinToken, joinTokenChallenge, joinTokenIssuer, type JoinTokenIssuer } from "../../../../src/core/capability/join-token.ts";
import type { PoolId } from "../../../../src/core/capability/pool.ts";
import { blindTokenRequest } from "../../../../src/core/crypto/blind-rsa-client.ts";
import { blindSign, generateIssuerKey, issuerKeyFromPem, type BlindRsaIssuerKey } from "../../../../src/core/crypto/blind-rsa-issuer-node.ts";
import { alice, mallory } from "../../../fixtures/identities.ts";

const pool = "aaaaaaaaaaaaaaaaaaaaaaaaaa" as PoolId;
const otherPool = "bbbbbbbbbbbbbbbbbbbbbbbbbb" as PoolId;
const EPOCH = 20_000;

function newIssuer(name: string): { key: BlindRsaIssuerKey; listed: JoinTokenIssuer } {
  const key = issuerKeyFromPem(generateIssuerKey());
  if (!key.ok) throw new Error(key.message);
  const listed = joinTokenIssuer(name, key.key.spki);
  if (!listed.ok) throw new Error(listed.message);
  return { key: key.key, listed: listed.issuer };
}

async function issueToken(issuer: { key: BlindRsaIssuerKey; listed: JoinTokenIssuer }, subject: { pool: PoolId; did: typeof alice.did }, epoch: number): Promise<Uint8Array> {
  const pending = await blindTokenRequest(joinTokenChallenge(issuer.listed.name, subject, epoch), issuer.key.spki);
  const signed = blindSign(issuer.key, pending.request);
  if (!signed.ok) throw new Error(signed.message);
  return pending.finalize(signed.response);
}

describe("Privacy Pass join tokens", () => {
  const issuer = newIssuer("issuer.example");
  const issuers = new Map([[issuer.listed.keyId, issuer.listed]]);
  const subject = { pool, did: alice.did };

  it("accepts a token blind-signed for this pool, joiner and epoch, and names its nonce", async () => {
    const token = await issueToken(issuer, subject, EPOCH);
    expect(token.length).toBe(354);
    const checked = checkJoinToken(token, issuers, subject, EPOCH);
    expect(checked).toMatchObject({ ok: true, issuer: { name: "issuer.example" } });
    expect(checkJoinToken(token, issuers, subject, EPOCH + 1).ok).toBe(true);
    // Two tokens for the same subject still have distinct nonces (the fold spends each once).
    const again = checkJoinToken(await issueToken(issuer, subject, EPOCH), issuers, subject, EPOCH);
    expect(again.ok && checked.ok && again.nonce !== checked.nonce).toBe(true);
  });

  it("refuses a token for another pool, another DID or a stale epoch", async () => {
    const token = await issueToken(issuer, subject, EPOCH);
    expect(checkJoinToken(token, issuers, { pool: otherPool, did: alice.did }, EPOCH)).toMatchObject({ ok: false, reason: "token-wrong-binding" });
    expect(checkJoinToken(token, issuers, { pool, did: mallory.did }, EPOCH)).toMatchObject({ ok: false, reason: "token-wrong-binding" });
    expect(checkJoinToken(token, issuers, subject, EPOCH + 2)).toMatchObject({ ok: false, reason: "token-wrong-binding" });
  });

  it("refuses a tampered token and one from an issuer the pool does not list", async () => {
    const token = await issueToken(issuer, subject, EPOCH);
    const tampered = Uint8Array.from(token);
    tampered[10]! ^= 1;
    expect(checkJoinToken(tampered, issuers, subject, EPOCH)).toMatchObject({ ok: false, reason: "bad-token-signature" });
    const stranger = newIssuer("issuer.example");
    expect(checkJoinToken(await issueToken(stranger, subject, EPOCH), issuers, subject, EPOCH)).toMatchObject({ ok: false, reason: "unlisted-issuer" });
  });

  it("refuses malformed tokens with a reason", () => {
    for (const bad of [undefined, "token", new Uint8Array(98), new Uint8Array(354)]) {
      expect(checkJoinToken(bad, issuers, subject, EPOCH)).toMatchObject({ ok: false, reason: expect.stringMatching(/malformed-token|unlisted-issuer/) });
    }
  });

  it("the issuer refuses requests for another key or of the wrong size", async () => {
    const pending = await blindTokenRequest(joinTokenChallenge("issuer.example", subject, EPOCH), issuer.key.spki);
    const other = Uint8Array.from(pending.request);
    other[2] = (other[2]! + 1) & 0xff;
    expect(blindSign(issuer.key, other)).toMatchObject({ ok: false });
    expect(blindSign(issuer.key, pending.request.subarray(1))).toMatchObject({ ok: false });
    const tooBig = Uint8Array.from(pending.request);
    tooBig.fill(0xff, 3);
    expect(blindSign(issuer.key, tooBig)).toMatchObject({ ok: false });
  });
});
