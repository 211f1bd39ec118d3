/**
 * `edgepool peers` and `edgepool pool network` as separate processes on loopback: a relay, the
 * pool's root and a member whose `edgepool work` runs meanwhile. The root lists the member as a
 * direct peer; with `--relay-only`, or once the root turns the pool relay-only, it lists nobody
 * (no hello is heard, no connection made).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { edgepoolInProcess } from "../../fixtures/cli.ts";
import { cliProcessesIn } from "../../fixtures/cli-processes.ts";
import { until } from "../../fixtures/until.ts";

const { dir, start, edgepool } = cliProcessesIn("edgepool-peers-cli-");

interface PeersJson {
  readonly peers: Array<{ did: string; path: string; rttMs?: number; bytesReceived: number }>;
}

/** Quick steps run in this process (`main`, as the CLI runs it); the member's node and the listing are separate processes. */
const inProcess = async (...argv: string[]) => {
  const run = await edgepoolInProcess(argv);
  return { code: run.code, out: run.out.join("\n"), err: run.err.join("\n") };
};

describe("edgepool peers and pool network (real processes through a relay)", () => {
  it("lists a member online as a direct peer, and nobody when relay-only (the node's flag or the pool's setting)", async () => {
    const relay = start(["relay", "--port", "0", "--data", join(dir, "relay")]);
    await until(() => /^ws:\/\/\S+/.test(relay.output.out), "the relay to listen");
    const url = relay.output.out.split("\n")[0]!.trim();
    const [owner, member] = [join(dir, "owner"), join(dir, "member")];
    const created = await inProcess("pool", "create", "--plain", "--name", "peers", "--home", owner, "--relay", url);
    expect(created.code, created.err).toBe(0);
    const pool = created.out.trim();
    const invited = await inProcess("invite", "--pool", pool, "--can", "job/run", "--home", owner, "--relay", url);
    const joined = await inProcess("join", invited.out.trim(), "--home", member, "--relay", url);
    expect(joined.code, joined.err).toBe(0);
    const memberDid = (await inProcess("id", "--home", member)).out.trim();

    const hostile = await inProcess("pool", "network", "--pool", pool, "--ice", "http://stun.example.org/", "--home", owner);
    expect(hostile.code).toBe(2);
    expect(hostile.err).toContain('--ice: "http://stun.example.org/" is not stun:');
    const notAdmin = await inProcess("pool", "network", "--pool", pool, "--relay-only", "--home", member);
    expect(notAdmin.code, notAdmin.err).toBe(4);

    const worker = start(["work", "--pool", pool, "--cores", "1", "--home", member, "--relay", url]);
    await until(() => worker.output.err.includes("Contributing to pool"), "the worker to start");

    const listed = await edgepool("peers", "--pool", pool, "--listen", "15", "--json", "--home", owner, "--relay", url);
    expect(listed.code, listed.err).toBe(0);
    const seen = (JSON.parse(listed.out) as PeersJson).peers;
    expect(seen).toEqual([expect.objectContaining({ did: memberDid, path: "direct" })]);
    expect(seen[0]!.rttMs).toBeGreaterThanOrEqual(0);
    expect(seen[0]!.bytesReceived).toBeGreaterThan(0);

    const ownFlag = await inProcess("peers", "--pool", pool, "--listen", "6", "--json", "--relay-only", "--home", owner, "--relay", url);
    expect((JSON.parse(ownFlag.out) as PeersJson).peers).toEqual([]);

    const set = await inProcess("pool", "network", "--pool", pool, "--relay-only", "--ice", "stun:127.0.0.1:3478", "--json", "--home", owner, "--relay", url);
    expect(set.code, set.err).toBe(0);
    expect(JSON.parse(set.out)).toEqual({ schemaVersion: 1, pool, ice: ["stun:127.0.0.1:3478"], relayOnly: true });
    const afterSetting = await inProcess("peers", "--pool", pool, "--listen", "6", "--home", owner, "--relay", url);
    expect(afterSetting.out).toMatch(/^No member is online that this node can hear/);
    const shown = await inProcess("pool", "network", "--pool", pool, "--home", member, "--relay", url);
    expect(shown.out).toBe("ice: stun:127.0.0.1:3478\ndirect connections: off (relay only)");
  }, 300_000);
});
