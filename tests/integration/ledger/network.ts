/** Real automerge-repo Repos in one process, wired by MessageChannel, with file storage in a temp dir. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Repo, type PeerId } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";

export interface Peer {
  readonly name: string;
  readonly repo: Repo;
  readonly storage: NodeFSStorageAdapter;
  readonly dir: string;
}

export interface Network {
  readonly peers: Peer[];
  close(): Promise<void>;
}

/** `names.length` repos, every pair connected. */
export function meshOf(names: readonly string[]): Network {
  const root = mkdtempSync(join(tmpdir(), "edgepool-ledger-"));
  const adapters: MessageChannelNetworkAdapter[][] = names.map(() => []);
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const { port1, port2 } = new MessageChannel();
      adapters[i]!.push(new MessageChannelNetworkAdapter(port1 as never));
      adapters[j]!.push(new MessageChannelNetworkAdapter(port2 as never));
    }
  }
  const peers = names.map((name, i) => {
    const dir = join(root, name);
    const storage = new NodeFSStorageAdapter(dir);
    return { name, dir, storage, repo: new Repo({ peerId: name as PeerId, storage, network: adapters[i]! }) };
  });
  return {
    peers,
    async close() {
      await Promise.all(peers.map((p) => p.repo.shutdown()));
      // automerge-repo saves sync state through a throttle (100 ms) that shutdown does not flush;
      // removing the directory under a pending save fails it with ENOENT as an unhandled rejection.
      await new Promise((resolve) => setTimeout(resolve, 300));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Polls `condition` until it holds or `ms` pass (then throws with `what`). */
export async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
