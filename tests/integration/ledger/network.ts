/** Real automerge-repo Repos in one process, wired by MessageChannel, with file storage in a temp dir. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Repo, type NetworkAdapterInterface, type PeerId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { ClosingStorage, shutdownRepo } from "../../../src/core/ledger/closing-storage.ts";

export interface Peer {
  readonly name: string;
  readonly repo: Repo;
  readonly storage: ClosingStorage;
  readonly dir: string;
}

export interface Network {
  readonly peers: Peer[];
  close(): Promise<void>;
}

/** `names.length` repos, every pair connected. */
export function meshOf(names: readonly string[]): Network {
  const adapters: MessageChannelNetworkAdapter[][] = names.map(() => []);
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const { port1, port2 } = new MessageChannel();
      adapters[i]!.push(new MessageChannelNetworkAdapter(port1 as never));
      adapters[j]!.push(new MessageChannelNetworkAdapter(port2 as never));
    }
  }
  return filePeers(names, (i) => adapters[i]!);
}

/** Repos each connected to a relay (a process, or `startRelay` in this one) by WebSocket. */
export function relayedOn(url: string, names: readonly string[]): Network {
  return filePeers(names, () => [new WebSocketClientAdapter(url)]);
}

function filePeers(names: readonly string[], network: (i: number) => NetworkAdapterInterface[]): Network {
  const root = mkdtempSync(join(tmpdir(), "edgepool-ledger-"));
  const peers = names.map((name, i) => {
    const dir = join(root, name);
    const storage = new ClosingStorage(new NodeFSStorageAdapter(dir));
    return { name, dir, storage, repo: new Repo({ peerId: name as PeerId, storage, network: network(i) }) };
  });
  return {
    peers,
    async close() {
      // Closing each storage drops automerge-repo's throttled saves that outlive shutdown, so the
      // directory can go at once.
      await Promise.all(peers.map((p) => shutdownRepo(p.repo, p.storage)));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Connects two repos (of separate networks) by a new MessageChannel: a node coming back online. */
export function link(a: Repo, b: Repo): void {
  const { port1, port2 } = new MessageChannel();
  a.networkSubsystem.addNetworkAdapter(new MessageChannelNetworkAdapter(port1 as never));
  b.networkSubsystem.addNetworkAdapter(new MessageChannelNetworkAdapter(port2 as never));
}

/**
 * Connects two repos like `link`, except that what `a` sends waits (after the greeting) until
 * `open()`: a relay that is slow to answer, or a request that crossed the upload it asks for.
 */
export function heldLink(a: Repo, b: Repo): { open(): void } {
  const [toA, toB] = [new MessageChannel(), new MessageChannel()];
  a.networkSubsystem.addNetworkAdapter(new MessageChannelNetworkAdapter(toA.port1 as never));
  b.networkSubsystem.addNetworkAdapter(new MessageChannelNetworkAdapter(toB.port1 as never));
  let held: unknown[] | undefined = [];
  const greeting = (data: unknown) => ["arrive", "welcome", "leave"].includes((data as { type?: string }).type ?? "");
  toA.port2.onmessage = ({ data }) => (held && !greeting(data) ? held.push(data) : toB.port2.postMessage(data));
  toB.port2.onmessage = ({ data }) => toA.port2.postMessage(data);
  return {
    open() {
      for (const data of held ?? []) toB.port2.postMessage(data);
      held = undefined;
    },
  };
}
