import { describe, expect, it } from "vitest";
import { edgepoolInProcess } from "../../fixtures/cli.ts";
import { ExitCode } from "../../../src/cli/exit-codes.ts";

// Starting, serving and stopping cleanly are proven by every browser test (tests/e2e/app-server.ts),
// which need the build; these run before it.
describe("edgepool serve", () => {
  it.each([
    ["--port", "http"],
    ["--port", "70000"],
    ["--relay-port", ""],
    ["--relay-port", "8081.5"],
  ])("refuses %s %s as a usage error naming the flag", async (flag, value) => {
    const run = await edgepoolInProcess(["serve", flag, value]);
    expect(run.code).toBe(ExitCode.usage);
    expect(run.err).toEqual([`edgepool serve: ${flag} must be a port number from 0 to 65535, got '${value}'`]);
  });

  it("prints its options with --help", async () => {
    const run = await edgepoolInProcess(["serve", "--help"]);
    expect(run.code).toBe(ExitCode.ok);
    expect(run.out.join("\n")).toMatch(/^usage: edgepool serve \[--port 8080\] \[--host 127\.0\.0\.1\] \[--relay-port 8081\] \[--home DIR\]/);
  });
});
