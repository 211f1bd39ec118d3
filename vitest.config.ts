import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts", "ledger/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Some unit tests drive real Chromium: install it (or say how) before any test starts. Tests
    // start hundreds of `edgepool` processes: build the CLI bundle they start from.
    globalSetup: ["tests/e2e/ensure-chromium.ts", "tests/fixtures/cli-bundle-setup.ts"],
  },
});
