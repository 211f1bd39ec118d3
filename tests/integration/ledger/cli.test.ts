import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileKeystore } from "../../../src/core/identity/keystore-file-node.ts";
import { openHomeLedger, openHomeRepo } from "../../../src/core/ledger/home-node.ts";
import { Ledger } from "../../../src/core/ledger/ledger.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { EntryWriter } from "../../../src/core/ledger/writer.ts";
import { T0, writeStory, type Story } from "../../../ledger/vectors/story.ts";
import { edgepoolProcess as edgepool } from "../../fixtures/cli-processes.ts";
import { alice } from "../../fixtures/identities.ts";

let home: string;
let story: Story;

/** Writes entries into the pool's ledger under `home` (or `at`), as the node itself would. */
async function appendAtHome(entries: Story["entries"], at = home): Promise<void> {
  const { repo, storage, close } = openHomeRepo(at);
  const ledger = await Ledger.open({ repo, storage, pool: story.pool, authoriser: new UcanAuthoriser(), now: () => T0 + 100_000 });
  await ledger.append(entries);
  await ledger.persisted();
  ledger.close();
  await repo.flush();
  await close();
}

// Signing the story and opening a ledger took past the default 30 s at load 40 on two cores.
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "edgepool-ledger-cli-"));
  story = await writeStory();
  await appendAtHome(story.entries);
}, 120_000);
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("edgepool ledger", () => {
  it("show --json prints members, the finished job, balances and no refused entries", async () => {
    const run = await edgepool(["ledger", "show", "--pool", story.pool, "--home", home, "--json"]);
    expect(run.code).toBe(0);
    const shown = JSON.parse(run.stdout);
    expect(shown).toMatchObject({ schemaVersion: 1, poolId: story.pool, pool: { id: story.pool, root: alice.did }, epoch: 0, entries: story.entries.length, invalid: { count: 0 } });
    expect(shown.members).toHaveLength(4);
    expect(shown.jobs).toEqual([expect.objectContaining({ id: story.jobId, status: "done", reveals: 3 })]);
    expect(shown.checkpoint.id).toBe(story.entries.at(-1)!.id);
  });

  it("show fails with a clear message for a pool this node does not hold", async () => {
    const run = await edgepool(["ledger", "show", "--pool", "a".repeat(26), "--home", home]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no ledger for pool a{26}/);
  });

  // Two CLI processes (tsx transpiles at each start-up, ~15 s each at load 20 on two cores).
  it("verify exits 0 on a consistent ledger and 1 once a checkpoint contradicts the fold", { timeout: 120_000 }, async () => {
    expect((await edgepool(["ledger", "verify", "--pool", story.pool, "--home", home])).code).toBe(0);
    const last = story.entries.at(-1)!;
    const lying = await new EntryWriter(alice, story.pool, 20).write("checkpoint", { ...last.entry.body, through: T0 + 36_000 }, T0 + 41_000);
    await appendAtHome([lying]);
    const run = await edgepool(["ledger", "verify", "--pool", story.pool, "--home", home, "--json"]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ consistent: false });
    expect(run.stderr).toMatch(/checkpoint .* differs|counts/);
  });

  // One CLI process after another took past the 120 s limit once under load (each start-up
  // transpiles the CLI): the stranger's attempt runs beside the root's (separate homes), and the
  // result is read back in this process, through the same opening the CLI uses.
  it("checkpoint (as the pool's root) makes the history up to two minutes ago final; a stranger cannot", { timeout: 120_000 }, async () => {
    await new FileKeystore(home).store(alice.seed, { replace: false });
    const [stranger, run] = await Promise.all([
      edgepool(["ledger", "checkpoint", "--pool", story.pool, "--home", join(home, "stranger")]),
      edgepool(["ledger", "checkpoint", "--pool", story.pool, "--home", home, "--json"]),
    ]);
    expect(stranger.code).toBe(1);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const written = JSON.parse(run.stdout);
    expect(written).toMatchObject({ schemaVersion: 1, pool: story.pool, count: story.entries.length, through: expect.any(Number) });
    const opened = await openHomeLedger(home, story.pool, () => Date.now());
    if (!opened.ok) throw new Error(opened.message);
    try {
      expect(opened.ledger.state.checkpoint?.id).toBe(written.checkpoint);
    } finally {
      opened.ledger.close();
      await opened.home.close();
    }
  });

  // Compact, then show and verify side by side, in a home of its own (the tests above add a lying checkpoint).
  it("compact (as the pool's root) starts epoch 1; show reads it from there and verify proves both epochs", { timeout: 120_000 }, async () => {
    const own = join(home, "compacting");
    await appendAtHome(story.entries, own);
    await new FileKeystore(own).store(alice.seed, { replace: false });
    const run = await edgepool(["ledger", "compact", "--pool", story.pool, "--home", own, "--json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const written = JSON.parse(run.stdout);
    expect(written).toMatchObject({ schemaVersion: 1, pool: story.pool, epoch: 1, count: story.entries.length });
    const [shown, verified] = await Promise.all([
      edgepool(["ledger", "show", "--pool", story.pool, "--home", own, "--json"]),
      edgepool(["ledger", "verify", "--pool", story.pool, "--home", own, "--json"]),
    ]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ epoch: 1, checkpoint: { id: written.checkpoint } });
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ consistent: true, epochs: 2, problems: [] });
  });
});
