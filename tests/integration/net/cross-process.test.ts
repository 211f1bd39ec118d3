/**
 * Ledger nodes as separate processes on loopback, syncing through a relay process (`edgepool
 * relay`) or a relay that tampers. Each node validates everything it reads; the relay is trusted
 * with nothing.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";
import { testPool } from "./ledger-peer.ts";
import { LedgerPeer, relayProcess, stopAll } from "./processes.ts";
import { until } from "../../fixtures/until.ts";
import { startTamperingRelay, type TamperingRelay } from "./tampering-relay.ts";

const LONG = { timeout: 240_000 };
let root: string | undefined;
let tampering: TamperingRelay | undefined;

afterEach(async () => {
  await stopAll();
  await tampering?.close();
  tampering = undefined;
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

async function dir(name: string): Promise<string> {
  root ??= await mkdtemp(join(tmpdir(), "edgepool-cross-"));
  return join(root, name);
}

async function peers(names: readonly string[], relays: readonly string[]): Promise<LedgerPeer[]> {
  const started = await Promise.all(names.map(async (name) => new LedgerPeer(name, await dir(name), relays)));
  await Promise.all(started.map((p) => p.ready));
  return started;
}

/** Sends one frame from a raw socket; resolves with the close code the relay answered with. */
function hostileFrame(url: string, frame: Buffer | string): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.on("error", () => {});
    socket.on("open", () => socket.send(frame));
    socket.on("close", (code) => resolve(code));
  });
}

describe("ledger nodes in separate processes", () => {
  it("sync entries through a relay process that drops hostile frames, and a restarted relay has lost nothing", LONG, async () => {
    const data = await dir("relay");
    const relay = await relayProcess(data, 0, ["--max-message-bytes", String(256 * 1024)]);
    const [bob, carol, dave] = await peers(["bob", "carol", "dave"], [relay.url]);
    expect(await hostileFrame(relay.url, Buffer.from([0xff, 0x00, 0x13]))).toBe(1008);
    expect(await hostileFrame(relay.url, Buffer.alloc(256 * 1024 + 1))).toBe(1009);
    const written = (await Promise.all([bob!.write(3), carol!.write(3), dave!.write(3)])).flat();
    await until(() => [bob, carol, dave].every((p) => p!.has(written)), "every node to hold every entry");

    // dave crashes, the others stop cleanly; the relay stops on SIGTERM and flushes its storage.
    await dave!.stop("SIGKILL");
    await Promise.all([bob!.stop(), carol!.stop()]);
    expect(await relay.stop("SIGTERM")).toBe(0);
    const restarted = await relayProcess(data, relay.port);
    const [alice] = await peers(["alice"], [restarted.url]);
    await until(() => alice!.has(written), "a newcomer to read every entry from the restarted relay alone");
    expect(alice!.invalid.size).toBe(0);
  });

  it("catch up after being offline, in both directions", LONG, async () => {
    const data = await dir("relay");
    const relay = await relayProcess(data);
    const [bob, carol] = await peers(["bob", "carol"], [relay.url]);
    await relay.stop();
    // Both write while no relay is reachable: their entries are only on their own device.
    const offline = (await Promise.all([bob!.write(2), carol!.write(2)])).flat();
    expect(bob!.has(offline) || carol!.has(offline)).toBe(false);
    const back = await relayProcess(data, relay.port);
    await until(() => bob!.has(offline) && carol!.has(offline), "both to exchange what they wrote offline");
    // dave was never online with them; he starts later and catches up through the relay.
    const [dave] = await peers(["dave"], [back.url]);
    await until(() => dave!.has(offline), "a late node to catch up");
  });

  it("detect a relay that deletes and rewrites entries, and keep the honest state", LONG, async () => {
    const { entries } = await testPool();
    tampering = await startTamperingRelay(new Set(entries.map((e) => e.id)));
    const [bob, carol] = await peers(["bob", "carol"], [tampering.url]);
    const written = await bob!.write(6);
    await until(() => carol!.has(written), "carol to hold every entry bob wrote despite the relay");
    await until(() => tampering!.rewritten.size > 0 && [...tampering!.rewritten.values()].every((forged) => carol!.invalid.has(forged)), "carol to refuse every rewritten copy");
    expect(tampering.deleted.size).toBeGreaterThan(0);
    expect(carol!.count).toBe(bob!.count);
  });
});
