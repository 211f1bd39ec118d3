/**
 * noble builds its AES tables when its module loads (~0.1 s of CPU), and HPKE (lockboxes) is its only
 * user: in the CLI bundle the AES code must sit in a chunk that is only imported dynamically, so a
 * process that seals or opens no lockbox (most commands) never runs it.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freshCliBundle } from "../../../scripts/cli-bundle.mjs";

const ENTRIES = ["main.mjs", "ledger-peer.mjs", "task-worker-node.mjs"];
const STATIC = /(?:from|import)\s*"\.\/([^"]+\.mjs)"/g;
const DYNAMIC = /import\("\.\/([^"]+\.mjs)"\)/g;

describe("the CLI bundle", () => {
  it("loads noble's AES only through a dynamic import", () => {
    const bundle = freshCliBundle() as URL | undefined;
    if (!bundle) throw new Error("no fresh CLI bundle: the global setup (tests/fixtures/cli-bundle-setup.ts) builds it");
    const text = (file: string) => readFileSync(fileURLToPath(new URL(file, bundle)), "utf8");
    const seen = new Set<string>();
    const staticTargets = new Set<string>();
    const queue = [...ENTRIES];
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
      if (seen.has(file)) continue;
      seen.add(file);
      const source = text(file);
      for (const [, target] of source.matchAll(STATIC)) {
        staticTargets.add(target!);
        queue.push(target!);
      }
      for (const [, target] of source.matchAll(DYNAMIC)) queue.push(target!);
    }
    const aes = [...seen].filter((file) => text(file).includes("// node_modules/@noble/ciphers/aes.js"));
    expect(aes).toHaveLength(1);
    expect([...ENTRIES, ...staticTargets].filter((file) => aes.includes(file))).toEqual([]);
  });
});
