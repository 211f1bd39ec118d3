import { afterEach, describe, expect, it } from "vitest";
import { checkJoinToken, joinTokenChallenge, joinTokenIssuer } from "../../../src/core/capability/join-token.ts";
import type { PoolId } from "../../../src/core/capability/pool.ts";
import { generateIssuerKey, issuerKeyFromPem } from "../../../src/core/crypto/blind-rsa-issuer-node.ts";
import { fetchJoinToken } from "../../../src/core/net/join-token-fetch.ts";
import { startTokenIssuer, type Attester, type RunningTokenIssuer } from "../../../src/core/net/token-issuer-node.ts";
import { alice, bob } from "../../fixtures/identities.ts";

const pool = "aaaaaaaaaaaaaaaaaaaaaaaaaa" as PoolId;
const EPOCH = 20_000;
const parsedKey = issuerKeyFromPem(generateIssuerKey());
if (!parsedKey.ok) throw new Error(parsedKey.message);
const key = parsedKey.key;

describe("the token issuer (edgepool issuer) and fetching a join token from it", () => {
  let running: RunningTokenIssuer | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  const start = async (attest?: Attester) => {
    running = await startTokenIssuer({ host: "127.0.0.1", port: 0, key, ...(attest ? { attest } : {}) });
    const name = new URL(running.url).host;
    const listed = joinTokenIssuer(name, key.spki);
    if (!listed.ok) throw new Error(listed.message);
    return { url: running.url, issuers: new Map([[listed.issuer.keyId, listed.issuer]]), name };
  };

  it("issues a token over HTTP that the pool's check accepts, then rate-limits the account", async () => {
    const { url, issuers, name } = await start();
    const subject = { pool, did: alice.did };
    const fetched = await fetchJoinToken(url, joinTokenChallenge(name, subject, EPOCH));
    if (!fetched.ok) throw new Error(fetched.message);
    expect(checkJoinToken(fetched.token, issuers, subject, EPOCH)).toMatchObject({ ok: true });
    // One token per account (here: per address) per week by default.
    const second = await fetchJoinToken(url, joinTokenChallenge(name, { pool, did: bob.did }, EPOCH));
    expect(second).toMatchObject({ ok: false, reason: "issuer-refused", message: expect.stringContaining("429") });
    expect(running!.issued()).toBe(1);
  });

  it("asks the operator's attestation hook, and refuses whom it refuses", async () => {
    const { url, name } = await start(async (request) =>
      request.headers["authorization"] === "Bearer member-of-club" ? { ok: true, account: "club" } : { ok: false, message: "show your club card" },
    );
    const refused = await fetchJoinToken(url, joinTokenChallenge(name, { pool, did: alice.did }, EPOCH));
    expect(refused).toMatchObject({ ok: false, reason: "issuer-refused", message: expect.stringContaining("show your club card") });
    expect(running!.issued()).toBe(0);
  });

  it("answers malformed, oversized and misdirected requests with clear HTTP errors and keeps serving", async () => {
    const { url } = await start();
    const post = (body: Uint8Array<ArrayBuffer>, type = "application/private-token-request") => fetch(`${url}/token-request`, { method: "POST", headers: { "content-type": type }, body });
    expect((await post(new Uint8Array(10))).status).toBe(400);
    expect((await post(new Uint8Array(5000))).status).toBe(413);
    expect((await post(new Uint8Array(259), "text/plain")).status).toBe(415);
    expect((await fetch(`${url}/token-request`)).status).toBe(405);
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ ok: true });
  });

  it("reports an unreachable issuer as such", async () => {
    const { url, name } = await start();
    await running!.close();
    running = undefined;
    expect(await fetchJoinToken(url, joinTokenChallenge(name, { pool, did: alice.did }, EPOCH))).toMatchObject({ ok: false, reason: "issuer-unreachable" });
  });
});
