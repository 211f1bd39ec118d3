/**
 * Runs the production build the way a user does (`edgepool serve`) in its own process, on free
 * ports and a temporary home, and stops it and removes the home afterwards.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
// Generous: two e2e files failed their beforeAll at the former 20 s at load 30 (nice 15).
const START_TIMEOUT_MS = 60_000;
// Grace before SIGKILL: at load 30 a serve still starting took over 5 s to exit on SIGTERM.
const STOP_TIMEOUT_MS = 30_000;

export interface AppServer {
  /** http://127.0.0.1:PORT/ serving dist/. */
  readonly url: string;
  /** ws://127.0.0.1:PORT/ of the local relay. */
  readonly relayUrl: string;
  stop(): Promise<void>;
}

export async function startAppServer(): Promise<AppServer> {
  if (!existsSync(join(REPO, "dist", "index.html"))) {
    throw new Error("no production build in dist/: run `npm run build` before the browser tests (`npm test` does)");
  }
  const home = await mkdtemp(join(tmpdir(), "edgepool-serve-"));
  const child = spawn(process.execPath, ["bin/edgepool.js", "serve", "--port", "0", "--relay-port", "0", "--home", home], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    await rm(home, { recursive: true, force: true });
  };
  try {
    const { url, relayUrl } = await readUrls(child);
    return { url, relayUrl, stop };
  } catch (error) {
    // The start's failure is the one to report; a failed stop after it only adds to it.
    await stop().catch((stopped: unknown) => {
      throw new Error(`${(error as Error).message}\n(then: ${(stopped as Error).message})`);
    });
    throw error;
  }
}

/** Waits for serve's two announcement lines on stdout. */
function readUrls(child: ChildProcess): Promise<{ url: string; relayUrl: string }> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`edgepool serve did not start within ${START_TIMEOUT_MS} ms:\n${stderr}`)), START_TIMEOUT_MS);
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /open (http:\S+)/.exec(stdout)?.[1];
      const relayUrl = /Relay: (ws:\S+)/.exec(stdout)?.[1];
      if (url && relayUrl) {
        clearTimeout(timer);
        resolve({ url, relayUrl });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`edgepool serve exited with code ${code} before it was ready:\n${stderr}`));
    });
  });
}

/** Stops serve with SIGTERM and insists it shut down cleanly (exit 0), as `npm start` users rely on. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  const code = await exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`edgepool serve did not stop cleanly on SIGTERM (exit ${code ?? "by SIGKILL"})`);
}
