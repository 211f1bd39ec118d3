/**
 * Vitest global setup for the browser tests: makes sure Debian's Chromium is installed.
 * As root it installs it (`apt-get install -y chromium`); otherwise it stops with the command to run.
 * (`npx playwright install` downloads its own browser, which this project's machines cannot fetch.)
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM_PATH = process.env.EDGEPOOL_CHROMIUM ?? "/usr/bin/chromium";
const INSTALL_COMMAND = "sudo apt-get update && sudo apt-get install -y chromium";

export function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}; the browser tests need it. Install it with:\n  ${INSTALL_COMMAND}`);
  }
  process.stderr.write(`Chromium is missing at ${CHROMIUM_PATH}: installing it with apt-get…\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "inherit", "inherit"], env });
  execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: ["ignore", "inherit", "inherit"], env });
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is still missing`);
}

export default function setup(): void {
  ensureChromium();
}
