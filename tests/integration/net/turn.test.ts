/**
 * TURN credentials from a real `edgepool relay` process (GET /turn): only a current member of a
 * pool the relay serves gets one, by the relay's own copy of the pool's ledger, and the password
 * is what coturn computes from the shared secret.
 */
import { execFile } from "node:child_process";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { base64pad } from "multiformats/bases/base64";
import { hmacSha1, utf8 } from "../../../src/core/crypto/index.ts";
import { revocationTarget, revokeTarget } from "../../../src/core/ledger/membership.ts";
import { fetchTurnServers, signTurnRequest, TURN_PATH } from "../../../src/core/net/turn-credentials.ts";
import { alice, bob, carol, mallory } from "../../fixtures/identities.ts";
import { directNode, type DirectNode } from "./direct-nodes.ts";
import { testPool } from "./ledger-peer.ts";
import { Peers } from "./peers.ts";
import { relayProcess, stopAll, type RelayProcess } from "./processes.ts";
import { until } from "../../fixtures/until.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SECRET = "a-shared-secret-for-coturn-0123456789";
const TURN_URL = "turn:127.0.0.1:3478?transport=udp";
const peers = new Peers();
const nodes: DirectNode[] = [];

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  await stopAll();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await peers.cleanup();
});

async function secretFile(mode = 0o600): Promise<string> {
  const file = join(await peers.dir(), "turn-secret");
  await writeFile(file, `${SECRET}\n`);
  await chmod(file, mode);
  return file;
}

async function turnRelay(pool: string): Promise<RelayProcess> {
  return relayProcess(await peers.dir(), 0, ["--turn-secret-file", await secretFile(), "--turn-url", TURN_URL, "--turn-pool", pool]);
}

/** Polls until `attempt` gives a value (the relay needs the ledger to arrive first). */
async function eventually<T>(attempt: () => Promise<T | undefined>, what: string): Promise<T> {
  let value: T | undefined;
  await until(async () => (value = await attempt()) !== undefined, what);
  return value!;
}

describe("TURN credentials from the relay", () => {
  it("gives a member coturn's credential once the relay holds the ledger, and refuses a non-member and a revoked member", async () => {
    const { pool } = await testPool();
    const relay = await turnRelay(pool);
    const ask = (who = bob, urls = [TURN_URL]) => fetchTurnServers(relay.url, who, pool, urls, Date.now());

    const early = await ask();
    expect(early).toMatchObject({ ok: false, message: expect.stringContaining("HTTP 503") });

    const b = await directNode(peers, bob, relay.url, { signalling: false });
    nodes.push(b);
    const fetched = await eventually(async () => {
      const got = await ask();
      return got.ok ? got : undefined;
    }, "credentials once the relay holds the ledger");
    const [server] = fetched.servers;
    expect(server!.urls).toEqual([TURN_URL]);
    const [expiry, ...did] = server!.username!.split(":");
    expect(did.join(":")).toBe(bob.did);
    expect(Number(expiry) * 1000).toBeGreaterThan(Date.now() + 3_500_000);
    expect(server!.credential).toBe(base64pad.baseEncode(hmacSha1(utf8(SECRET), utf8(server!.username!))));

    expect(await ask(mallory)).toMatchObject({ ok: false, message: expect.stringMatching(/HTTP 403.*not a current member/) });
    // A TURN server the pool lists but the relay does not offer gets no credentials.
    expect(await ask(bob, ["turn:turn.example.org"])).toMatchObject({ ok: true, servers: [] });

    const target = revocationTarget(b.ledger, carol.did);
    if (!target.ok) throw new Error(target.message);
    expect(await revokeTarget(b.ledger, alice, target, Date.now())).toMatchObject({ ok: true });
    await eventually(async () => {
      const got = await ask(carol);
      return !got.ok && got.message.includes("HTTP 403") ? got : undefined;
    }, "carol refused once her revocation reached the relay");
  }, 180_000);

  it("answers a signed request once (a copied URL is no good), with a header pages of any origin may read", async () => {
    const { pool } = await testPool();
    const relay = await turnRelay(pool);
    nodes.push(await directNode(peers, bob, relay.url, { signalling: false }));
    const url = () => new URL(`${TURN_PATH}?${search}`, relay.url.replace(/^ws/, "http"));
    let search = "";
    const first = await eventually(async () => {
      search = await signTurnRequest(bob, pool, Date.now());
      const response = await fetch(url());
      return response.status === 200 ? response : undefined;
    }, "a first answer");
    expect(first.headers.get("access-control-allow-origin")).toBe("*");
    expect((await first.json()).uris).toEqual([TURN_URL]);
    const again = await fetch(url());
    expect(again.status).toBe(401);
    expect(await again.text()).toContain("already answered");
    // The relay logs the refusal; its stderr reaches this process a little after the answer.
    await eventually(async () => (relay.stderr.some((line) => line.includes("refusing TURN credentials (replayed)")) ? true : undefined), "the refusal in the relay's log");
  }, 120_000);
});

describe("edgepool relay --turn-*", () => {
  const relay = (flags: string[]) =>
    new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ["bin/edgepool.js", "relay", "--port", "0", ...flags], { cwd: ROOT, encoding: "utf8", timeout: 120_000 }, (_error, _stdout, stderr) => resolve({ status: child.exitCode, stderr }));
    });

  it("refuses a half-given, hostile or badly kept configuration, saying what to fix", async () => {
    const { pool } = await testPool();
    const file = await secretFile();
    const cases: Array<[string[], RegExp]> = [
      [["--turn-secret-file", file], /need all of --turn-secret-file, --turn-url and --turn-pool/],
      [["--turn-secret-file", file, "--turn-url", "http://turn.example.org", "--turn-pool", pool], /--turn-url: "http:\/\/turn.example.org" is not stun/],
      [["--turn-secret-file", file, "--turn-url", "turn:u:p@turn.example.org", "--turn-pool", pool], /--turn-url: .* is not stun/],
      [["--turn-secret-file", file, "--turn-url", "stun:stun.example.org", "--turn-pool", pool], /a STUN server, which needs no credentials/],
      [["--turn-secret-file", file, "--turn-url", TURN_URL, "--turn-pool", "not a pool"], /--turn-pool/],
      [["--turn-secret-file", await secretFile(0o644), "--turn-url", TURN_URL, "--turn-pool", pool], /readable by other users; run chmod 600/],
      [["--turn-secret-file", "/nonexistent/secret", "--turn-url", TURN_URL, "--turn-pool", pool], /cannot read \/nonexistent\/secret/],
    ];
    // Each refusal comes before the relay listens, so the processes can run side by side.
    const runs = await Promise.all(cases.map(([flags]) => relay(flags)));
    for (const [i, [flags, message]] of cases.entries()) {
      expect(runs[i]!.status, flags.join(" ")).toBe(2);
      expect(runs[i]!.stderr).toMatch(message);
    }
  }, 150_000);
});
