import { afterEach, describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import type { SealedDoc } from "../../../src/core/privacy/sealed-document.ts";
import { readEnvelopes } from "../../../src/core/privacy/sealed-document.ts";
import { isPadmeLength } from "../../../src/core/privacy/padme.ts";
import { stateHash } from "../../../src/core/ledger/state.ts";
import { until } from "../ledger/network.ts";
import { everyone, privatePool, T0, type PrivatePool } from "./private-pool.ts";

let pool: PrivatePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

const submit = (who: PrivatePool["bob"], time: number, n = 1) =>
  who.node.ledger.write(who.who, "job.submit", { task: "a".repeat(64), input: new Uint8Array([n]), replicas: 1, reward: 1, deadline: time + 600_000 }, who.proof ? [who.proof] : []);

describe("private pool over real repos", () => {
  it("members converge on the same state through sealed documents alone", async () => {
    pool = await privatePool();
    const { alice, bob, carol } = pool;
    await until(() => Object.keys(bob.node.ledger.state.members).length === 3 && carol.node.ledger.state.privacy !== undefined, "bob and carol read the sealed genesis");
    expect(stateHash(bob.node.ledger.state)).toBe(stateHash(alice.node.ledger.state));
    expect(bob.node.view()).toMatchObject({ epoch: 0, sealingEpoch: 0, pendingRotation: false });
  }, 30_000);
});
