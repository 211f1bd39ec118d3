import { describe, expect, it } from "vitest";
import { carol, dave, mallory } from "../../../fixtures/identities.ts";
import { hex, jobPool, RIGHT, saltOf, T0, WRONG } from "./job-fixture.ts";

describe("result.reveal opens the author's commitment, sha2-256(salt || output)", () => {
  it("refuses a reveal whose output or salt differs from the commitment (down to its last bit), and takes the one that matches", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ reward: 30 }, T0 + 10_000);
    await pool.work(carol, job, 0, RIGHT, T0 + 11_000);
    await pool.work(dave, job, 1, RIGHT, T0 + 11_000);
    await pool.work(mallory, job, 2, RIGHT, T0 + 11_000);
    const otherOutput = await pool.reveal(mallory, job, WRONG, T0 + 13_000);
    const flipped = saltOf(carol).slice();
    flipped[15]! ^= 1;
    const otherSalt = await pool.write(carol, "result.reveal", { job, salt: flipped, output: RIGHT }, T0 + 13_000);
    const lastOutputBit = RIGHT.slice();
    lastOutputBit[31]! ^= 1;
    const lastBit = await pool.reveal(dave, job, lastOutputBit, T0 + 13_000);
    let { state, rejected } = pool.fold();
    for (const refused of [otherOutput, otherSalt, lastBit]) expect(rejected.get(refused.id)?.reason).toBe("bad-reveal");
    expect(state.jobs[job]!.reveals).toEqual({});

    await pool.reveal(carol, job, RIGHT, T0 + 14_000);
    await pool.reveal(dave, job, RIGHT, T0 + 14_000);
    ({ state } = pool.fold());
    expect(state.jobs[job]!.reveals).toEqual({ [carol.did]: hex(RIGHT), [dave.did]: hex(RIGHT) });
    expect(state.jobs[job]!.status).toBe("done");
  });
});
