#!/usr/bin/env node
// Entry point only: runs the CLI from its bundle while that is fresh, as a process starts several
// times faster from it (scripts/build-cli.ts); otherwise (a clean checkout, or a source file
// changed since the build) registers the TypeScript loader and runs the sources.
import { freshCliBundle } from "../scripts/cli-bundle.mjs";

const bundle = freshCliBundle();
let processMain;
if (bundle) {
  ({ processMain } = await import(new URL("main.mjs", bundle).href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ processMain } = await import("../src/cli/main.ts"));
}
process.exitCode = await processMain(process.argv.slice(2));
