import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts", "ledger/**/*.test.ts"],
    // Generous: a passing test never waits for these, and on the shared 2-core machine at load 35
    // tests that start several `edgepool` processes (cli/identity, ledger/cli) took 27-30 s. Longer
    // than `until`'s default 60 s (tests/fixtures/until.ts), so a condition that never comes fails
    // the test naming what it waited for rather than as a bare timeout.
    testTimeout: 90_000,
    hookTimeout: 90_000,
    pool: "forks",
    // automerge-repo 2.5 leaves one document wait unawaited (src/core/net/sync-wait-guard-node.ts):
    // a pool a test tore down mid-sync can see it time out 60 s later in the same file. The edgepool
    // process logs it and runs on; the test run ignores exactly that error and reports every other.
    onUnhandledError: (error) => !(error.name === "TimeoutError" && error.message.startsWith("withTimeout: timed out")),
    // Some unit tests drive real Chromium: install it (or say how) before any test starts. Tests
    // start hundreds of `edgepool` processes: build the CLI bundle they start from.
    globalSetup: ["tests/e2e/ensure-chromium.ts", "tests/fixtures/cli-bundle-setup.ts"],
  },
});
