/**
 * Open pools through the CLI (issue 12): an owner creates an open pool that lists an issuer;
 * strangers join through a relay, one with a stamp, one with a token; the issuer's per-account
 * limit turns a second token away. Relay and issuer run on loopback; every directory is removed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateIssuerKey, issuerKeyFromPem } from "../../../src/core/crypto/blind-rsa-issuer-node.ts";
import { startRelay, type RunningRelay } from "../../../src/core/net/relay-node.ts";
import { startTokenIssuer, type RunningTokenIssuer } from "../../../src/core/net/token-issuer-node.ts";
import { edgepoolInProcess } from "../../fixtures/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "edgepool-open-pool-"));
let relay: RunningRelay;
let issuer: RunningTokenIssuer;

beforeAll(async () => {
  relay = await startRelay({ host: "127.0.0.1", port: 0, storageDirectory: join(dir, "relay") });
  const key = issuerKeyFromPem(generateIssuerKey());
  if (!key.ok) throw new Error(key.message);
  issuer = await startTokenIssuer({ host: "127.0.0.1", port: 0, key: key.key });
});

afterAll(async () => {
  await issuer.close();
  await relay.close();
  // automerge-repo saves sync state through a throttle that shutdown does not flush (see
  // tests/integration/ledger/network.ts): let pending saves land before the directory goes.
  await new Promise((resolve) => setTimeout(resolve, 500));
  rmSync(dir, { recursive: true, force: true });
});

const home = (name: string) => ["--home", join(dir, name), "--relay", relay.url];

describe("edgepool pool create --open and edgepool join --pool", () => {
  it("admits a stranger paying with a stamp and one paying with a token, and says why a third is turned away", async () => {
    const created = await edgepoolInProcess(["pool", "create", "--name", "open science", "--open", "--pow-bits", "8", "--issuer", issuer.url, ...home("owner")]);
    expect(created.code, created.err.join("\n")).toBe(0);
    const pool = created.out[0]!.trim();

    const stamped = await edgepoolInProcess(["join", "--pool", pool, "--json", ...home("stranger-stamp")]);
    expect(stamped.code, stamped.err.join("\n")).toBe(0);
    expect(JSON.parse(stamped.out[0]!)).toMatchObject({ schemaVersion: 1, pool, paidWith: "stamp" });
    expect(stamped.err.join("\n")).toMatch(/Stamp found after/);

    const tokened = await edgepoolInProcess(["join", "--pool", pool, "--token", "--json", ...home("stranger-token")]);
    expect(tokened.code, tokened.err.join("\n")).toBe(0);
    expect(JSON.parse(tokened.out[0]!)).toMatchObject({ paidWith: "token" });

    // The issuer's default account is the client address: one token per week, so a second is refused.
    const refused = await edgepoolInProcess(["join", "--pool", pool, "--token", ...home("stranger-three")]);
    expect(refused.code).toBe(4);
    expect(refused.err.join("\n")).toMatch(/429/);

    const members = await edgepoolInProcess(["members", "--pool", pool, "--json", ...home("owner")]);
    expect(members.code, members.err.join("\n")).toBe(0);
    expect(members.out.join("\n").match(/did:key:/g)?.length).toBeGreaterThanOrEqual(3);

    // Removing a stranger: another stranger may not, the owner (the pool's admin) may.
    const removed = JSON.parse(stamped.out[0]!).member as string;
    const notAdmin = await edgepoolInProcess(["revoke", "--pool", pool, removed, ...home("stranger-token")]);
    expect(notAdmin.code, notAdmin.err.join("\n")).toBe(4);
    const revoked = await edgepoolInProcess(["revoke", "--pool", pool, removed, "--json", ...home("owner")]);
    expect(revoked.code, revoked.err.join("\n")).toBe(0);
    expect(JSON.parse(revoked.out[0]!)).toMatchObject({ target: removed, honoured: { [removed]: 1 } });
    const after = await edgepoolInProcess(["members", "--pool", pool, "--json", ...home("owner")]);
    expect(JSON.parse(after.out[0]!).members.find((m: { did: string }) => m.did === removed)).toMatchObject({ revoked: expect.any(Number) });
  });

  it("refuses open-pool flags without --open, and an invite-only pool to a stranger", async () => {
    expect((await edgepoolInProcess(["pool", "create", "--name", "x", "--pow-bits", "8", ...home("owner2")])).code).toBe(2);
    const closed = await edgepoolInProcess(["pool", "create", "--plain", "--name", "closed", ...home("owner2")]);
    expect(closed.code).toBe(0);
    const stranger = await edgepoolInProcess(["join", "--pool", closed.out[0]!.trim(), ...home("stranger-closed")]);
    expect(stranger.code).toBe(4);
    expect(stranger.err.join("\n")).toMatch(/invitation only/);
  });
});
