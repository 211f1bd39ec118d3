import { describe, expect, it } from "vitest";
import { cbor } from "@automerge/automerge-repo";
import { openSignal, signSignal, SIGNAL_WINDOW_MS, type SignalContext, type SignedSignal } from "../../../../src/core/net/signal.ts";
import { alice, bob, mallory } from "../../../fixtures/identities.ts";

const T = Date.UTC(2026, 10, 1);
const members = new Set<string>([alice.did, bob.did]);
const atBob: SignalContext = { pool: "pool-1", me: bob.did, myPeer: "peer-bob", isMember: (did) => members.has(did), now: () => T };
const offer = { pool: "pool-1", fromPeer: "peer-alice", to: bob.did, toPeer: "peer-bob", kind: "offer" as const, session: "s1", sdp: "v=0", at: T };

describe("signals between members", () => {
  it("accepts a signed offer from a member addressed to us, once", async () => {
    const seen = new Map<string, number>();
    const signed = await signSignal(alice, offer);
    expect(await openSignal(signed, atBob, seen)).toMatchObject({ ok: true, signal: { from: alice.did, kind: "offer", sdp: "v=0" } });
    expect(await openSignal(signed, atBob, seen)).toMatchObject({ ok: false, reason: "replayed" });
  });

  it("accepts a broadcast hello", async () => {
    const hello = await signSignal(alice, { pool: "pool-1", fromPeer: "peer-alice", kind: "hello", at: T });
    expect(await openSignal(hello, atBob, new Map())).toMatchObject({ ok: true, signal: { kind: "hello" } });
  });

  it("ignores a signal from a non-member, however well signed", async () => {
    const signed = await signSignal(mallory, offer);
    expect(await openSignal(signed, atBob, new Map())).toMatchObject({ ok: false, reason: "not-a-member" });
  });

  it("ignores a signal whose signature does not verify", async () => {
    const signed = await signSignal(alice, offer);
    const forged: SignedSignal = { ...signed, payload: cbor.encode({ ...(cbor.decode(signed.payload) as object), sdp: "v=0 evil" }) };
    expect(await openSignal(forged, atBob, new Map())).toMatchObject({ ok: false, reason: "bad-signature" });
    const claimed = await signSignal(mallory, offer);
    // Mallory signs, but claims to be alice.
    const impostor: SignedSignal = { ...claimed, payload: cbor.encode({ ...(cbor.decode(claimed.payload) as object), from: alice.did }) };
    expect(await openSignal(impostor, atBob, new Map())).toMatchObject({ ok: false, reason: "bad-signature" });
  });

  it("ignores a signal for another member, peer or pool", async () => {
    expect(await openSignal(await signSignal(alice, { ...offer, to: alice.did }), atBob, new Map())).toMatchObject({ reason: "not-for-us" });
    expect(await openSignal(await signSignal(alice, { ...offer, toPeer: "peer-other" }), atBob, new Map())).toMatchObject({ reason: "not-for-us" });
    expect(await openSignal(await signSignal(alice, { ...offer, pool: "pool-2" }), atBob, new Map())).toMatchObject({ reason: "other-pool" });
  });

  it("ignores a stale signal (a replay after the window)", async () => {
    const old = await signSignal(alice, { ...offer, at: T - SIGNAL_WINDOW_MS - 1 });
    expect(await openSignal(old, atBob, new Map())).toMatchObject({ ok: false, reason: "stale" });
  });

  it("ignores malformed signals without throwing", async () => {
    const sig = new Uint8Array(64);
    for (const message of [undefined, 7, "x", {}, { edgepoolSignal: 1, payload: new Uint8Array([0xff]), sig }, { edgepoolSignal: 1, payload: cbor.encode([1]), sig }]) {
      expect(await openSignal(message, atBob, new Map())).toMatchObject({ ok: false, reason: "malformed" });
    }
    const noSdp = await signSignal(alice, { ...offer, sdp: undefined as never });
    expect(await openSignal(noSdp, atBob, new Map())).toMatchObject({ ok: false, reason: "malformed" });
  });
});
