import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const child = fileURLToPath(new URL("../../../fixtures/sync-wait-guard-child.ts", import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", child, ...args], { encoding: "utf8", timeout: 30_000 });

// In a child process: the guard is process-wide, and the test runner has handlers of its own.
describe("surviveSyncWaitTimeouts", () => {
  it("logs automerge-repo's unhandled document-wait timeout and keeps the process running", () => {
    const result = run();
    expect(result.stdout).toContain("guard: sync: a peer announced a document and did not send it");
    expect(result.stdout).toContain("alive after the timeout");
    expect(result.status).toBe(0);
  });

  it("still ends the process on any other unhandled rejection", () => {
    const result = run("--then-other");
    expect(result.stdout).toContain("alive after the timeout");
    expect(result.stderr).toContain("an unrelated failure");
    expect(result.status).toBe(1);
  });
});
