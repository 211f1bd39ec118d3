import { defineConfig } from "vitest/config";

/** Browser tests: the production build in Debian's Chromium. `npm test` builds first. */
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    globalSetup: ["tests/e2e/ensure-chromium.ts", "tests/fixtures/cli-bundle-setup.ts"],
    // Above `until`'s default 60 s (tests/fixtures/until.ts), so a lost condition is named.
    testTimeout: 90_000,
    // Above app-server.ts's start timeout plus its stop's grace (60 + 30 s), so a server that never
    // starts says why.
    hookTimeout: 120_000,
    pool: "forks",
    // Each file starts its own Chromium and server; on shared 2-core machines one at a time is faster.
    fileParallelism: false,
  },
});
