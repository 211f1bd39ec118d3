#!/usr/bin/env node
// Entry point only: runs the CLI from its bundle (scripts/build-cli.ts) while that is fresh, as a
// process starts several times faster from it; otherwise (a clean checkout, or a source file
// changed since the build) registers the TypeScript loader and runs the sources.
import { readFileSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);
const bundle = new URL(".build/cli/", root);

function bundleIsFresh() {
  try {
    const stamp = new URL("inputs.json", bundle);
    const builtAt = statSync(stamp).mtimeMs;
    return JSON.parse(readFileSync(stamp, "utf8")).every((input) => statSync(new URL(input, root)).mtimeMs <= builtAt);
  } catch {
    return false; // no bundle, or an input gone
  }
}

let main;
if (bundleIsFresh()) {
  ({ main } = await import(new URL("main.mjs", bundle).href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
