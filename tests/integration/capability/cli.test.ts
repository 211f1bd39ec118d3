/**
 * The pool commands as real processes syncing through a real relay: alice creates a pool and
 * invites, bob joins, a second joiner finds the link used up, alice revokes bob, then the link.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRelay, type RunningRelay } from "../../../src/core/net/relay-node.ts";
import { edgepoolProcess } from "../../fixtures/cli-processes.ts";

let dir: string;
let relay: RunningRelay;

/** `edgepool ARGS --home DIR/who` as a process: each person's own home. */
const edgepool = (who: string, args: string[]) => edgepoolProcess([...args, "--home", join(dir, who)]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgepool-capability-cli-"));
  relay = await startRelay({ host: "127.0.0.1", port: 0, storageDirectory: join(dir, "relay") });
});
afterAll(async () => {
  await relay.close();
  await rm(dir, { recursive: true, force: true });
});

describe("edgepool pool create / invite / join / members / revoke", () => {
  it("runs a pool's membership through a relay", { timeout: 240_000 }, async () => {
    const created = await edgepool("alice", ["pool", "create", "--plain", "--name", "lab", "--relay", relay.url]);
    expect(created).toMatchObject({ code: 0, stdout: expect.stringMatching(/^[a-z2-7]{26}\n$/) });
    const pool = created.stdout.trim();

    const invited = await edgepool("alice", ["invite", "--pool", pool, "--can", "job/submit,job/run", "--ttl", "7d", "--uses", "1", "--relay", relay.url, "--json"]);
    expect(invited.code).toBe(0);
    const { link, invite } = JSON.parse(invited.stdout);
    const url = new URL(link);
    expect(url.pathname + url.search).toBe("/");

    const bob = await edgepool("bob", ["join", link, "--json"]);
    expect(bob.code).toBe(0);
    const joined = JSON.parse(bob.stdout);
    expect(joined).toMatchObject({ schemaVersion: 1, pool, abilities: ["job/run", "job/submit"] });

    const carol = await edgepool("carol", ["join", link]);
    expect(carol.code).toBe(4);
    expect(carol.stderr).toMatch(/already been used 1 time, its limit; ask did:key:\S+ \(who invited you\) for a new link/);

    const listed = JSON.parse((await edgepool("alice", ["members", "--pool", pool, "--relay", relay.url, "--json"])).stdout);
    expect(listed.members).toEqual([
      expect.objectContaining({ root: true, abilities: ["pool/admin"] }),
      expect.objectContaining({ did: joined.member, abilities: ["job/run", "job/submit"], invite, invitedBy: listed.root }),
    ]);

    const revoked = await edgepool("alice", ["revoke", "--pool", pool, joined.member, "--relay", relay.url, "--json"]);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout).honoured).toEqual({ [joined.member]: 1 });
    const after = JSON.parse((await edgepool("alice", ["members", "--pool", pool, "--json"])).stdout);
    expect(after.members[1]).toMatchObject({ did: joined.member, revoked: expect.any(Number) });

    const linkRevoked = await edgepool("alice", ["revoke", "--pool", pool, link, "--json"]);
    expect(linkRevoked.code).toBe(0);
    expect(JSON.parse(linkRevoked.stdout)).toMatchObject({ target: invite, honoured: { [joined.member]: 1 } });
  });

  it("refuses a link that is not a link, with exit code 2", async () => {
    const run = await edgepool("dave", ["join", "https://app.example/#/join/garbage"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not an EdgePool invite link/);
  });
});
