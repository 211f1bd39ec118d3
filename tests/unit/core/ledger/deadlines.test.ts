import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { draftCheckpoint } from "../../../../src/core/ledger/checkpoints.ts";
import { foldEntries } from "../../../../src/core/ledger/fold.ts";
import { encodeState } from "../../../../src/core/ledger/state.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import { jobStatusAt } from "../../../../src/core/ledger/verdict.ts";
import { alice, bob, carol, dave } from "../../../fixtures/identities.ts";
import { hex, jobPool, RIGHT, T0 } from "./job-fixture.ts";

const authoriser = new UcanAuthoriser();
const DEADLINE = T0 + 100_000;

describe("deadlines in the fold", () => {
  it("fails a job without a verdict once the fold passes its deadline, refunds the submitter and refuses later entries about it", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ replicas: 2, reward: 30, deadline: DEADLINE }, T0 + 10_000);
    await pool.work(carol, job, 0, RIGHT, T0 + 11_000);
    expect(pool.fold().state.accounts[bob.did]!.spent).toBe(30 + 3); // reward and 10% verification tax
    // Nothing after the deadline yet: the fold cannot know time passed; readers already show failed.
    expect(pool.fold().state.jobs[job]!.status).toBe("open");
    expect(jobStatusAt(pool.fold().state.jobs[job]!, DEADLINE + 1)).toBe("failed");

    const other = await pool.submit({ replicas: 1, deadline: DEADLINE + 500_000 }, DEADLINE + 1);
    const late = await pool.claim(dave, job, 1, DEADLINE + 2);
    const reveal = await pool.reveal(carol, job, RIGHT, DEADLINE + 3);
    const { state, rejected } = pool.fold();
    expect(state.jobs[job]).toMatchObject({ status: "failed", failure: "deadline", claims: {} });
    expect(state.jobs[other]!.status).toBe("open");
    // Refunded: only the open job's reward is still spent (the taxes stay in the fund).
    expect(state.accounts[bob.did]!.spent).toBe(3 + 30 + 3);
    expect(rejected.get(late.id)?.message).toMatch(/failed \(deadline\)/);
    expect(rejected.get(reveal.id)?.message).toMatch(/failed \(deadline\)/);
    expect(state.reputation[carol.did]).toBeUndefined();
  });

  it("keeps a verdict reached at the deadline itself and leaves settled jobs alone", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ replicas: 1, reward: 10, deadline: DEADLINE }, T0 + 10_000);
    await pool.work(carol, job, 0, RIGHT, T0 + 11_000);
    await pool.reveal(carol, job, RIGHT, DEADLINE);
    await pool.submit({ replicas: 1, deadline: DEADLINE + 500_000 }, DEADLINE + 10_000);
    const { state } = pool.fold();
    expect(state.jobs[job]!.status).toBe("done");
    expect(state.jobs[job]!.verdict!.output).toBe(hex(RIGHT));
    expect(state.accounts[bob.did]!.spent).toBe(10 + 1 + 30 + 3);
  });

  it("gives the same state in any arrival order (expiry depends only on the set of entries)", async () => {
    const pool = await jobPool();
    const first = await pool.submit({ replicas: 2, reward: 20, deadline: DEADLINE }, T0 + 10_000);
    const second = await pool.submit({ replicas: 1, reward: 7, deadline: DEADLINE + 50_000 }, T0 + 10_001);
    await pool.work(carol, first, 0, RIGHT, T0 + 11_000);
    await pool.claim(dave, second, 0, T0 + 12_000);
    await pool.submit({ replicas: 1, deadline: DEADLINE + 900_000 }, DEADLINE + 60_000);
    const expected = hex(encodeState(pool.fold().state));
    expect(pool.fold().state.jobs[second]!.failure).toBe("deadline");
    fc.assert(
      fc.property(fc.shuffledSubarray(pool.entries, { minLength: pool.entries.length }), (order) => {
        expect(hex(encodeState(foldEntries(order, authoriser).state))).toBe(expected);
      }),
      { numRuns: 20 },
    );
  });

  it("a checkpoint past a deadline commits to the failed job, and the fold accepts it", async () => {
    const pool = await jobPool();
    const job = await pool.submit({ replicas: 2, reward: 30, deadline: DEADLINE }, T0 + 10_000);
    await pool.work(carol, job, 0, RIGHT, T0 + 11_000);
    const through = DEADLINE + 1_000;
    const draft = draftCheckpoint(pool.entries, through, authoriser);
    const checkpoint = await pool.add(pool.writers.get(alice.did)!.write("checkpoint", draft.body, through + 1));
    const { state, rejected } = pool.fold();
    expect(rejected.has(checkpoint.id)).toBe(false);
    expect(state.checkpoint?.id).toBe(checkpoint.id);
    expect(state.jobs[job]).toMatchObject({ status: "failed", failure: "deadline" });
    expect(state.accounts[bob.did]!.spent).toBe(3); // the tax stays in the fund
  });
});
