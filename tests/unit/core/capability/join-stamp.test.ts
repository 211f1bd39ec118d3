import { describe, expect, it } from "vitest";
import { checkJoinStamp, leadingZeroBits, solveJoinStamp } from "../../../../src/core/capability/join-stamp.ts";
import type { PoolId } from "../../../../src/core/capability/pool.ts";
import { alice, mallory } from "../../../fixtures/identities.ts";

const pool = "aaaaaaaaaaaaaaaaaaaaaaaaaa" as PoolId;
const subject = { pool, did: alice.did };
const BITS = 12;
const EPOCH = 20_000;

describe("join stamps", () => {
  it("counts leading zero bits across byte boundaries", () => {
    expect(leadingZeroBits(new Uint8Array([0x80]))).toBe(0);
    expect(leadingZeroBits(new Uint8Array([0x01, 0xff]))).toBe(7);
    expect(leadingZeroBits(new Uint8Array([0, 0, 0x10]))).toBe(19);
    expect(leadingZeroBits(new Uint8Array([0, 0]))).toBe(16);
  });

  it("solves a stamp that the one-hash check accepts, reporting progress on the way", async () => {
    const progress: number[] = [];
    const solved = await solveJoinStamp(subject, BITS, EPOCH, { sliceSize: 500, onProgress: (tried) => progress.push(tried) });
    if (!solved.ok) throw new Error(solved.message);
    expect(checkJoinStamp(solved.stamp, subject, BITS, EPOCH)).toEqual({ ok: true });
    expect(checkJoinStamp(solved.stamp, subject, BITS, EPOCH + 1)).toEqual({ ok: true });
    expect(progress.every((tried, i) => i === 0 || tried > progress[i - 1]!)).toBe(true);
  });

  it("refuses a stamp below the difficulty, from a stale epoch, or for another DID or pool", async () => {
    // A fixed start makes the stamp, and so every verdict below, the same on every run.
    const solved = await solveJoinStamp(subject, BITS, EPOCH, { start: new Uint8Array(8) });
    if (!solved.ok) throw new Error(solved.message);
    const { stamp } = solved;
    // A stamp with exactly `zeros` bits fails one bit higher (the difficulty is a strict floor).
    expect(checkJoinStamp(stamp, subject, 40, EPOCH)).toMatchObject({ ok: false, reason: "stamp-too-weak" });
    expect(checkJoinStamp(stamp, subject, BITS, EPOCH + 2)).toMatchObject({ ok: false, reason: "stamp-stale-epoch" });
    expect(checkJoinStamp(stamp, subject, BITS, EPOCH - 1)).toMatchObject({ ok: false, reason: "stamp-stale-epoch" });
    // For another DID or pool the digest is unrelated (for this fixed stamp it has under 12 zero bits).
    expect(checkJoinStamp(stamp, { pool, did: mallory.did }, BITS, EPOCH)).toMatchObject({ ok: false, reason: "stamp-too-weak" });
    expect(checkJoinStamp(stamp, { pool: "bbbbbbbbbbbbbbbbbbbbbbbbbb" as PoolId, did: alice.did }, BITS, EPOCH)).toMatchObject({ ok: false, reason: "stamp-too-weak" });
  });

  it("refuses malformed stamps with a clear reason", () => {
    for (const bad of [null, 7, {}, { epoch: -1, nonce: "00".repeat(8) }, { epoch: 1.5, nonce: "00".repeat(8) }, { epoch: EPOCH, nonce: "zz".repeat(8) }, { epoch: EPOCH, nonce: "00".repeat(9) }]) {
      expect(checkJoinStamp(bad, subject, BITS, EPOCH)).toMatchObject({ ok: false, reason: "malformed-stamp" });
    }
  });

  it("stops when cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await solveJoinStamp(subject, 30, EPOCH, { signal: controller.signal })).toMatchObject({ ok: false, reason: "aborted" });
  });
});
