#!/usr/bin/env node
// Entry point only: runs the CLI from its bundle while that is fresh, as a process starts several
// times faster from it (scripts/build-cli.ts); otherwise (a clean checkout, or a source file
// changed since the build) registers the TypeScript loader and runs the sources.
import { freshCliBundle } from "../scripts/cli-bundle.mjs";

const bundle = freshCliBundle();
let main;
if (bundle) {
  ({ main } = await import(new URL("main.mjs", bundle).href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
