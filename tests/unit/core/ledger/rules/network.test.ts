import { describe, expect, it } from "vitest";
import { iceUrlProblem } from "../../../../../src/core/ledger/rules/network.ts";
import { UcanAuthoriser } from "../../../../../src/core/ledger/ucan-authoriser.ts";
import { contextOf, validateEntry } from "../../../../../src/core/ledger/validate.ts";
import { alice, bob } from "../../../../fixtures/identities.ts";
import { jobPool, T0 } from "../job-fixture.ts";

describe("ICE server URLs in pool.network", () => {
  it.each([
    "stun:stun.example.org",
    "stun:stun.example.org:3478",
    "turn:turn.example.org:3478?transport=udp",
    "turns:turn.example.org:5349?transport=tcp",
    "turn:192.0.2.7",
    "turn:[2001:db8::7]:3478",
    "stun:[::ffff:192.0.2.1]",
  ])("accepts %s", (url) => {
    expect(iceUrlProblem(url)).toBeUndefined();
  });

  it.each([
    ["http://stun.example.org/", "is not stun:"],
    ["stuns:stun.example.org", "is not stun:"],
    ["STUN:stun.example.org", "is not stun:"],
    ["turn:user:secret@turn.example.org", "is not stun:"],
    ["turn:turn.example.org/path", "lowercase DNS name"],
    ["turn:turn.example.org?transport=sctp", "is not stun:"],
    ["turn:turn.example.org?transport=udp&x=1", "is not stun:"],
    ["stun:stun.example.org?transport=udp", "takes no transport"],
    ["stun:stun.example.org:0", "is not stun:"],
    ["stun:stun.example.org:65536", "1..65535"],
    ["stun:Stun.Example.org", "lowercase DNS name"],
    ["stun:-stun.example.org", "lowercase DNS name"],
    ["stun:stun..example.org", "lowercase DNS name"],
    ["stun:256.1.1.1", "lowercase DNS name"],
    ["stun:[2001:db8::1::2]", "lowercase DNS name"],
    ["stun:[1:2:3:4:5:6:7:8:9]", "lowercase DNS name"],
    ["stun:exa mple.org", "lowercase DNS name"],
    ["stun:example.org\n", "lowercase DNS name"],
    ["stun:bücher.example", "lowercase DNS name"],
    [`stun:${"a".repeat(300)}.org`, "at most 256"],
    ["stun:", "is not stun:"],
  ])("refuses %j, saying why", (url, why) => {
    expect(iceUrlProblem(url)).toContain(why);
  });
});

describe("pool.network", () => {
  it("sets the pool's ICE servers and relay-only switch, a later entry replacing an earlier one", async () => {
    const pool = await jobPool();
    expect(pool.fold().state.pool!.network).toBeUndefined();
    await pool.write(alice, "pool.network", { ice: ["stun:stun.example.org", "turn:turn.example.org:3478"], relayOnly: 0 }, T0 + 9_000);
    expect(pool.fold().state.pool!.network).toEqual({ ice: ["stun:stun.example.org", "turn:turn.example.org:3478"], relayOnly: false });
    await pool.write(alice, "pool.network", { ice: [], relayOnly: 1 }, T0 + 9_500);
    expect(pool.fold().state.pool!.network).toEqual({ ice: [], relayOnly: true });
  });

  it("refuses a member without pool/admin", async () => {
    const pool = await jobPool();
    const byBob = await pool.write(bob, "pool.network", { ice: [], relayOnly: 1 }, T0 + 9_000);
    const { state, rejected } = pool.fold();
    expect(state.pool!.network).toBeUndefined();
    expect(rejected.get(byBob.id)?.reason).toBe("not-authorised");
  });

  it("refuses a hostile URL even from the admin, naming it", async () => {
    const pool = await jobPool();
    const hostile = await pool.write(alice, "pool.network", { ice: ["stun:a.example.org", "javascript:alert(1)"], relayOnly: 0 }, T0 + 9_100);
    const checked = await validateEntry(hostile.bytes, contextOf({ pool: hostile.entry.pool, authoriser: new UcanAuthoriser(), now: () => T0 + 10_000 }));
    expect(checked).toMatchObject({ ok: false, reason: "bad-body" });
    expect(!checked.ok && checked.message).toContain('"javascript:alert(1)" is not stun:');
  });
});
