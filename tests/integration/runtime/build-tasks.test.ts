import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildTasks, tasksOutDir } from "../../../wasm-tasks/build.ts";
import { sampleTasks } from "../../../wasm-tasks/tasks.ts";
import { moduleHash } from "../../../src/core/runtime/index.ts";

describe("npm run build:tasks", () => {
  it("reproduces the committed public/tasks byte for byte, and the manifest names each module by its hash", async () => {
    const build = await buildTasks();
    expect(build.tasks.map((t) => t.file)).toEqual(sampleTasks.map((t) => `${t.name}.wasm`));
    for (const task of build.tasks) expect(new Uint8Array(readFileSync(join(tasksOutDir, task.file)))).toEqual(task.bytes);
    expect(readFileSync(join(tasksOutDir, "manifest.json"), "utf8")).toBe(build.manifest);
    const manifest = JSON.parse(build.manifest) as { tasks: { file: string; hash: string; input: string }[] };
    for (const [i, entry] of manifest.tasks.entries()) {
      expect(entry.hash).toBe(moduleHash(build.tasks[i]!.bytes));
      expect(entry.input.length).toBeGreaterThan(0);
    }
  }, 60_000);
});
