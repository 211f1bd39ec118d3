/**
 * The templates in wasm-tasks/README.md ("Template") are code a task author copies, so they are
 * built and run as written there: both must pass the host's ABI checks and do what they say.
 */
import { readFileSync } from "node:fs";
import binaryen from "binaryen";
import { describe, expect, it } from "vitest";
import { compileTask, defaultLimits } from "../../../src/core/runtime/index.ts";
import type { LoadedTask } from "../../../src/core/runtime/index.ts";
import { executeTask } from "../../../src/core/runtime/task-executor.ts";
import { TaskMemories } from "../../../src/core/runtime/task-memory.ts";
import { compileAssemblyScript } from "../../../wasm-tasks/build.ts";

const readme = readFileSync(new URL("../../../wasm-tasks/README.md", import.meta.url), "utf8");
const templateSection = readme.slice(readme.indexOf("## Template"));

function codeBlock(language: string): string {
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(templateSection);
  if (!match) throw new Error(`wasm-tasks/README.md has no \`\`\`${language} block under "## Template"`);
  return match[1]!;
}

async function load(bytes: Uint8Array): Promise<LoadedTask> {
  const loaded = await compileTask(bytes, defaultLimits);
  if (!loaded.ok) throw new Error(`${loaded.reason}: ${loaded.message}`);
  return loaded.task;
}

function run(task: LoadedTask, input: Uint8Array) {
  return executeTask(task.module, input, { minPages: task.minPages, maxPages: task.maxPages, maxOutputBytes: 1024 }, new TaskMemories());
}

describe("the task templates in wasm-tasks/README.md", () => {
  it("the AssemblyScript template builds with the samples' flags, passes the ABI checks and inverts each byte", async () => {
    const bytes = await compileAssemblyScript("assembly/template.ts", { "assembly/template.ts": codeBlock("ts") });
    const task = await load(bytes);
    expect(run(task, new Uint8Array([0x00, 0x0f, 0xff]))).toEqual({ ok: true, output: new Uint8Array([0xff, 0xf0, 0x00]) });
    expect(run(task, new Uint8Array(0))).toMatchObject({ ok: false, reason: "trap", message: /input must not be empty/ });
  }, 120_000);

  it("the WebAssembly text template assembles, passes the ABI checks and echoes its input", async () => {
    const module = binaryen.parseText(codeBlock("wat"));
    const bytes = module.emitBinary();
    module.dispose();
    const task = await load(bytes);
    expect(task.maxPages).toBe(16);
    expect(run(task, new Uint8Array([1, 2, 3]))).toEqual({ ok: true, output: new Uint8Array([1, 2, 3]) });
  });
});
