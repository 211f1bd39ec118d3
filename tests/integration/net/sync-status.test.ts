/**
 * The sync status and the count of changes saved only on this device (UX.md 10), on real
 * automerge-repo repos with file storage wired by MessageChannel.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import type { DocHandle } from "@automerge/automerge-repo";
import { changesOnlyHere, readSync } from "../../../src/core/net/sync-status.ts";
import { meshOf, type Network } from "../ledger/network.ts";
import { until } from "../../fixtures/until.ts";

let network: Network | undefined;
afterEach(async () => {
  await network?.close();
  network = undefined;
});

type Counter = { n: number };
const bump = (handle: DocHandle<Counter>): void => handle.change((d) => void (d.n = (d.n ?? 0) + 1));
const peersOf = (i: number) => Object.values(network!.peers[i]!.repo.peerMetadataByPeerId);

describe("sync status", () => {
  it("counts every change as saved only here while no peer is reachable, and never says up to date", () => {
    network = meshOf(["alone"]);
    const handle = network.peers[0]!.repo.create<Counter>({ n: 0 });
    bump(handle);
    bump(handle);
    const reading = readSync({ online: true, handle, peers: peersOf(0), acknowledged: [], now: 1 });
    expect(reading.sync).toEqual({ status: "looking" });
    expect(reading.onlyHere).toBe(A.getAllChanges(handle.doc()).length);
    expect(readSync({ online: false, handle, peers: peersOf(0), acknowledged: [], now: 1 }).sync).toEqual({ status: "offline" });
  });

  it("says up to date once a storing peer acknowledged this node's heads, and remembers that across readings so only later changes count", async () => {
    network = meshOf(["alice", "bob"]);
    const handle = network.peers[0]!.repo.create<Counter>({ n: 0 });
    bump(handle);
    await network.peers[1]!.repo.find<Counter>(handle.url);
    let reading = readSync({ online: true, handle, peers: peersOf(0), acknowledged: [], now: 7 });
    await until(() => (reading = readSync({ online: true, handle, peers: peersOf(0), acknowledged: [], now: 7 })).sync.status === "up-to-date", "bob to acknowledge");
    expect(reading).toEqual({ sync: { status: "up-to-date", peers: 1, at: 7 }, onlyHere: 0, acknowledged: A.getHeads(handle.doc()) });

    // Offline (or after a restart, before any peer is back): two new changes are the only ones kept here alone.
    bump(handle);
    bump(handle);
    const offline = readSync({ online: false, handle, peers: [], acknowledged: reading.acknowledged, now: 8 });
    expect(offline).toMatchObject({ sync: { status: "offline" }, onlyHere: 2 });
    expect(offline.acknowledged).toEqual(reading.acknowledged);
  });

  it("ignores acknowledged hashes this document does not know (a hostile or stale record)", () => {
    network = meshOf(["alice"]);
    const handle = network.peers[0]!.repo.create<Counter>({ n: 0 });
    bump(handle);
    const all = A.getAllChanges(handle.doc()).length;
    expect(changesOnlyHere(handle.doc(), ["ff".repeat(32), "not a hash"])).toEqual({ count: all, known: [] });
  });
});
