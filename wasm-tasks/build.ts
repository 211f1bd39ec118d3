/**
 * `npm run build:tasks`: compiles the sample tasks in wasm-tasks/assembly with AssemblyScript
 * (offline, from node_modules) and writes public/tasks/<name>.wasm plus manifest.json.
 * The output is reproducible: same sources and compiler version, same bytes (a test checks the
 * committed files against a fresh build).
 */
import asc from "assemblyscript/asc";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { bytesToHex, sha256 } from "../src/core/crypto/index.ts";
import { sampleTasks } from "./tasks.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
export const tasksOutDir = fileURLToPath(new URL("../public/tasks/", import.meta.url));

/** Flags chosen for small, fast, reproducible modules: no GC (each task gets a fresh instance). */
const ASC_FLAGS = ["-O3", "--runtime", "stub", "--baseDir", here];

export interface BuiltTask {
  readonly file: string;
  readonly bytes: Uint8Array;
}

export interface Build {
  readonly tasks: readonly BuiltTask[];
  readonly manifest: string;
}

/**
 * Compiles `entry` (a path under wasm-tasks/) to a module. `sources` stands in for files by that
 * path, so a test can compile a source that is not on disk (the README's template).
 */
export async function compileAssemblyScript(entry: string, sources: Readonly<Record<string, string>> = {}): Promise<Uint8Array> {
  let wasm: Uint8Array | undefined;
  const stderr: string[] = [];
  const { error } = await asc.main([entry, ...ASC_FLAGS, "--outFile", "out.wasm"], {
    readFile: async (name: string, baseDir: string) => sources[name] ?? (await readFile(resolve(baseDir, name), "utf8").catch(() => null)),
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name.endsWith("out.wasm") && typeof contents !== "string") wasm = contents;
    },
    stderr: { write: (chunk: string | Uint8Array) => stderr.push(String(chunk)) } as never,
  });
  if (error || !wasm) throw new Error(`asc failed for ${entry}: ${error?.message ?? "no output"}\n${stderr.join("")}`);
  return wasm;
}

export async function buildTasks(): Promise<Build> {
  const built: BuiltTask[] = [];
  const entries = [];
  for (const task of sampleTasks) {
    const bytes = await compileAssemblyScript(`assembly/${task.name}.ts`);
    const file = `${task.name}.wasm`;
    built.push({ file, bytes });
    entries.push({ name: task.name, file, hash: bytesToHex(sha256(bytes)), bytes: bytes.length, description: task.description, input: task.input, output: task.output });
  }
  const compiler = JSON.parse(readFileSync(join(here, "../node_modules/assemblyscript/package.json"), "utf8")) as { version: string };
  const manifest = { schemaVersion: 1, abi: "edgepool-task/1", compiler: `assemblyscript ${compiler.version}`, tasks: entries };
  return { tasks: built, manifest: JSON.stringify(manifest, null, 2) + "\n" };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const build = await buildTasks();
  mkdirSync(tasksOutDir, { recursive: true });
  for (const task of build.tasks) writeFileSync(join(tasksOutDir, task.file), task.bytes);
  writeFileSync(join(tasksOutDir, "manifest.json"), build.manifest);
  process.stderr.write(`built ${build.tasks.length} tasks into public/tasks/\n`);
}
