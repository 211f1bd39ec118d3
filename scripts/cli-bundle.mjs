/**
 * Where the CLI bundle (scripts/build-cli.ts) is, if it is fresh: `inputs.json` lists the source
 * files it was built from and carries the build's start time as its mtime, so a source file
 * changed since (or gone) means the sources must run through tsx instead of stale code.
 * Plain JS: bin/edgepool.js and the worker shim read it before any TypeScript loader exists.
 */
import { readFileSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);
const bundle = new URL(".build/cli/", root);

/** The bundle's directory URL, or undefined when there is no bundle or it is stale. */
export function freshCliBundle() {
  try {
    const stamp = new URL("inputs.json", bundle);
    const builtAt = statSync(stamp).mtimeMs;
    const inputs = JSON.parse(readFileSync(stamp, "utf8"));
    return inputs.every((input) => statSync(new URL(input, root)).mtimeMs <= builtAt) ? bundle : undefined;
  } catch {
    return undefined; // no bundle, or an input gone
  }
}
