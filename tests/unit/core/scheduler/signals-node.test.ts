import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createNodeSignals, pressureFromLoad, readPowerSupply } from "../../../../src/core/scheduler/signals-node.ts";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "edgepool-power-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes one power supply the way Linux lays it out: a directory of one-line attribute files. */
async function supply(name: string, attributes: Record<string, string>): Promise<void> {
  await mkdir(path.join(root, name), { recursive: true });
  for (const [key, value] of Object.entries(attributes)) await writeFile(path.join(root, name, key), `${value}\n`);
}

const laptop = async (acOnline: "0" | "1", capacity: string, status = acOnline === "1" ? "Charging" : "Discharging") => {
  await supply("AC", { type: "Mains", online: acOnline });
  await supply("BAT0", { type: "Battery", present: "1", capacity, status });
};

describe("reading Linux's power-supply class", () => {
  it("reads a laptop on AC", async () => {
    await laptop("1", "57");
    expect(await readPowerSupply(root)).toEqual({ charging: true, batteryPercent: 57 });
  });

  it("reads a laptop on battery", async () => {
    await laptop("0", "42");
    expect(await readPowerSupply(root)).toEqual({ charging: false, batteryPercent: 42 });
  });

  it("counts a machine with no battery as on AC", async () => {
    await supply("AC", { type: "Mains", online: "1" });
    expect(await readPowerSupply(root)).toEqual({ charging: true, batteryPercent: undefined });
    await rm(path.join(root, "AC"), { recursive: true });
    expect(await readPowerSupply(root)).toEqual({ charging: true, batteryPercent: undefined });
  });

  it("says unknown where there is no power-supply directory (not Linux)", async () => {
    expect(await readPowerSupply(path.join(root, "missing"))).toEqual({ charging: undefined, batteryPercent: undefined });
  });

  it("falls back to the battery's status without a mains supply, and averages two batteries", async () => {
    await supply("BAT0", { type: "Battery", capacity: "80", status: "Discharging" });
    await supply("BAT1", { type: "Battery", capacity: "40", status: "Discharging" });
    expect(await readPowerSupply(root)).toEqual({ charging: false, batteryPercent: 60 });
    await supply("BAT1", { type: "Battery", capacity: "40", status: "Not charging" });
    expect((await readPowerSupply(root)).charging).toBe(true);
  });

  it("takes a USB-C charger as AC power", async () => {
    await supply("ucsi-source-psy-1", { type: "USB", online: "1" });
    await supply("BAT0", { type: "Battery", capacity: "20", status: "Charging" });
    expect(await readPowerSupply(root)).toEqual({ charging: true, batteryPercent: 20 });
  });

  it("ignores a mouse's battery and a removed battery", async () => {
    await supply("AC", { type: "Mains", online: "0" });
    await supply("hidpp_battery_0", { type: "Battery", scope: "Device", capacity: "5", status: "Discharging" });
    await supply("BAT1", { type: "Battery", present: "0", capacity: "0" });
    expect(await readPowerSupply(root)).toEqual({ charging: true, batteryPercent: undefined });
  });

  it("does not believe garbage in the files", async () => {
    await supply("AC", { type: "Mains", online: "maybe" });
    await supply("BAT0", { type: "Battery", capacity: "250", status: "\u0000\u0000" });
    expect(await readPowerSupply(root)).toEqual({ charging: undefined, batteryPercent: undefined });
    await supply("BAT0", { type: "Battery", capacity: "", status: "Discharging" });
    expect((await readPowerSupply(root)).batteryPercent).toBeUndefined();
  });
});

describe("CPU pressure from the load average", () => {
  it.each([
    [0.5, 4, 0, "nominal"],
    [2, 4, 0, "fair"],
    [3.5, 4, 0, "serious"],
    [4, 4, 0, "critical"],
    [4, 4, 3, "nominal"],
    [1, 4, 3, "nominal"],
    [7.8, 4, 3, "critical"],
  ] as const)("load %d on %d cores with %d of our workers busy is %s", (load, cores, own, level) => {
    expect(pressureFromLoad(load, cores, own)).toBe(level);
  });
});

describe("the Node signal source", () => {
  it("reads the files, the cores and the load, and emits when the power changes", async () => {
    await laptop("1", "90");
    const source = await createNodeSignals({ powerSupplyRoot: root });
    try {
      expect(source.read()).toMatchObject({ charging: true, batteryPercent: 90, pageVisible: undefined, userIdle: undefined, hardwareCores: os.availableParallelism() });
      expect(source.read().cpuPressure).toMatch(/^(nominal|fair|serious|critical)$/);
      // The real load average moves on its own, so count only the readings with a power change.
      const seen: (boolean | undefined)[] = [];
      source.onChange(() => seen.push(source.read().charging));
      await source.refresh();
      expect(seen.filter((charging) => charging === false)).toEqual([]);
      await laptop("0", "89");
      await source.refresh();
      expect(seen.at(-1)).toBe(false);
      expect(source.read()).toMatchObject({ charging: false, batteryPercent: 89 });
    } finally {
      source.close();
    }
  });
});
