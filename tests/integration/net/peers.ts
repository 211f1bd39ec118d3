/** Real repos that reach relays through our client adapter, in this process, with short backoff. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Repo } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { ClosingStorage, shutdownRepo } from "../../../src/core/ledger/closing-storage.ts";
import type { RelaySocket, SocketFactory } from "../../../src/core/net/relay-client.ts";
import { nodeSocketFactory } from "../../../src/core/net/relay-socket-node.ts";
import { createTransports, type NetworkConfig, type Transports } from "../../../src/core/net/transports.ts";

export const FAST_BACKOFF = { initialMs: 50, maxMs: 400 };

export interface TestPeer {
  readonly repo: Repo;
  readonly transports: Transports;
}

/** Temp directories and repos a test made, removed by `cleanup`. */
export class Peers {
  private readonly repos: { repo: Repo; storage: ClosingStorage | undefined }[] = [];
  private readonly dirs: string[] = [];

  async dir(prefix = "edgepool-net-"): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** A repo whose network is `config` (relays through our adapter), with file storage when `storage` is given. */
  peer(config: Partial<NetworkConfig>, storage?: string, createSocket: SocketFactory = nodeSocketFactory): TestPeer {
    const transports = createTransports({ relays: [], backoff: FAST_BACKOFF, ...config }, createSocket);
    if (!transports.ok) throw new Error(transports.message);
    // Closed at cleanup, so that automerge-repo's throttled saves cannot outlive the directory.
    const closing = storage === undefined ? undefined : new ClosingStorage(new NodeFSStorageAdapter(storage));
    const repo = new Repo({ network: transports.adapters, ...(closing ? { storage: closing } : {}) });
    this.repos.push({ repo, storage: closing });
    return { repo, transports };
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.repos.splice(0).map(({ repo, storage }) => shutdownRepo(repo, storage)));
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })));
  }
}

/**
 * Real sockets whose connection can fail the way a loaded network does: while `losing`, what the
 * relay sends is lost on the way (the relay believes it delivered it); `cut()` then ends the
 * connection, and the adapter reconnects on a fresh socket that delivers again.
 */
export class LossySockets {
  losing = false;
  /** Messages lost so far. */
  lost = 0;
  private current: RelaySocket | undefined;

  readonly factory: SocketFactory = (url, maxMessageBytes) => {
    const socket = nodeSocketFactory(url, maxMessageBytes);
    this.current = socket;
    const addEventListener = socket.addEventListener.bind(socket);
    socket.addEventListener = (type, listener) =>
      addEventListener(type, type !== "message" ? listener : (event) => {
        if (!this.losing) return listener(event);
        this.lost++;
      });
    return socket;
  };

  cut(): void {
    this.losing = false;
    this.current?.close();
  }
}
