import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Decision } from "../../../../src/core/scheduler/device-policy.ts";
import { createScheduler, type Scheduler } from "../../../../src/core/scheduler/scheduler.ts";
import { DEFAULT_SETTINGS } from "../../../../src/core/scheduler/settings.ts";
import { createNodeSignals, type NodeSignalSource } from "../../../../src/core/scheduler/signals-node.ts";
import { T0, manualClock, utcTime } from "./policy-fixtures.ts";

let root: string;
let load = 0;
let source: NodeSignalSource;
let scheduler: Scheduler | undefined;
const cores = os.availableParallelism();
const coreLimit = Math.max(1, cores - 1);

async function power(acOnline: "0" | "1", capacity: number): Promise<void> {
  await mkdir(path.join(root, "AC"), { recursive: true });
  await mkdir(path.join(root, "BAT0"), { recursive: true });
  await writeFile(path.join(root, "AC", "type"), "Mains\n");
  await writeFile(path.join(root, "AC", "online"), `${acOnline}\n`);
  await writeFile(path.join(root, "BAT0", "type"), "Battery\n");
  await writeFile(path.join(root, "BAT0", "capacity"), `${capacity}\n`);
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "edgepool-scheduler-"));
  await power("1", 80);
  load = 0; // this machine's real load moves with whatever else runs on it
  source = await createNodeSignals({ powerSupplyRoot: root, loadAverage: () => load });
});
afterEach(async () => {
  scheduler?.close();
  source.close();
  await rm(root, { recursive: true, force: true });
});

/** What the worker pool sees: every decision it was told to resize to. */
function start(settings = DEFAULT_SETTINGS) {
  const clock = manualClock();
  scheduler = createScheduler({ source, clock, host: "cli", settings, formatTime: utcTime });
  const decisions: Decision[] = [];
  scheduler.onDecision((decision) => decisions.push(decision));
  return { clock, scheduler, decisions, last: () => decisions.at(-1)! };
}

describe("the Scheduler", () => {
  it("pauses on a battery signal and resumes when plugged in again, after the dwell", async () => {
    const { clock, scheduler, decisions, last } = start({ ...DEFAULT_SETTINGS, onlyWhenCharging: true });
    expect(scheduler.current()).toMatchObject({ state: "running", workers: coreLimit });

    await power("0", 79);
    await source.refresh();
    expect(last()).toMatchObject({ state: "paused", workers: 0, reason: "paused-on-battery", sentence: "Paused since 14:02 — on battery (79%). Resumes when plugged in." });

    clock.advance(20_000);
    await power("1", 79);
    await source.refresh();
    expect(scheduler.current()).toMatchObject({ reason: "paused-on-battery", nextReevaluationAt: T0 + 60_000 });

    clock.advance(40_000); // the Scheduler's own wake-up fires at the end of the dwell
    expect(last()).toMatchObject({ state: "running", workers: coreLimit, since: T0 + 60_000 });
    expect(decisions.map((d) => d.reason)).toEqual(["paused-on-battery", "running"]);
  });

  it("pauses below the minimum battery and resumes 10 points above it", async () => {
    const { clock, last } = start();
    await power("0", 29);
    await source.refresh();
    expect(last().reason).toBe("battery-below-minimum");
    clock.advance(120_000);
    await power("0", 39);
    await source.refresh();
    expect(last().reason).toBe("battery-below-minimum");
    await power("0", 40);
    await source.refresh();
    expect(last()).toMatchObject({ reason: "running", workers: coreLimit });
  });

  it("runs a timed pause out by itself", () => {
    const { clock, scheduler, last } = start();
    expect(scheduler.pause({ forMs: 3_600_000 })).toEqual({ ok: true });
    expect(last()).toMatchObject({ reason: "paused-until", workers: 0 });
    clock.advance(60_000);
    expect(scheduler.current().sentence).toBe("Paused since 14:02 — you paused contributing for a while. Resumes at 15:02 (in 59 min).");
    clock.advance(3_540_000);
    expect(last()).toMatchObject({ reason: "running", workers: coreLimit });
  });

  it("finishes the running tasks, then pauses, then resumes on request", () => {
    const { scheduler, last } = start();
    scheduler.setRunningTasks(1);
    scheduler.pause({ finishFirst: true });
    expect(last()).toMatchObject({ state: "finishing", workers: 1, acceptNewTasks: false });
    scheduler.setRunningTasks(0);
    expect(last()).toMatchObject({ state: "paused", reason: "paused-by-user" });
    scheduler.resume();
    expect(last()).toMatchObject({ state: "running", acceptNewTasks: true });
  });

  it("pauses when other programs keep the CPU busy for 30 s", async () => {
    const { clock, last } = start();
    load = cores * 2;
    await source.refresh();
    expect(last()).toBeUndefined(); // nothing changed yet: busy only after 30 s
    clock.advance(30_000);
    expect(last()).toMatchObject({ reason: "cpu-busy", workers: 0 });
  });

  it("applies new settings at once", () => {
    const { scheduler, last } = start();
    scheduler.setSettings({ ...DEFAULT_SETTINGS, contribute: false });
    expect(last().reason).toBe("contribution-off");
  });

  it("refuses a pause of no length or of years, and changes nothing", () => {
    const { scheduler, decisions } = start();
    for (const forMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 31 * 24 * 3_600_000]) {
      expect(scheduler.pause({ forMs })).toMatchObject({ ok: false, reason: "invalid-duration" });
    }
    expect(decisions).toEqual([]);
  });

  it("tells subscribers only what changes what runs or why, and stops when closed", () => {
    const { clock, scheduler, decisions } = start();
    scheduler.pause({ forMs: 600_000 });
    clock.advance(300_000);
    scheduler.current();
    expect(decisions).toHaveLength(1);
    scheduler.close();
    expect(clock.pending()).toBe(0);
    expect(() => scheduler.current()).toThrow(/closed/);
  });
});
