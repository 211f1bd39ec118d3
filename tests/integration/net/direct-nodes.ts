/** Pool members in this process whose repos reach a relay and, through direct.ts, each other. */
import { Repo } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { utf8 } from "../../../src/core/crypto/index.ts";
import { shutdownRepo } from "../../../src/core/ledger/closing-storage.ts";
import { Ledger } from "../../../src/core/ledger/ledger.ts";
import type { EntryId } from "../../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { startDirectPeers, type DirectOptions, type DirectPeers } from "../../../src/core/net/direct.ts";
import { nodePeerConnectionFactory } from "../../../src/core/net/peer-connection-node.ts";
import { nodeSocketFactory } from "../../../src/core/net/relay-socket-node.ts";
import { createTransports } from "../../../src/core/net/transports.ts";
import type { TestIdentity } from "../../fixtures/identities.ts";
import { testPool } from "./ledger-peer.ts";
import { FAST_BACKOFF, type Peers } from "./peers.ts";

export interface DirectNode {
  readonly repo: Repo;
  readonly ledger: Ledger;
  /** Absent for a node without any signalling (as before direct peers existed). */
  readonly direct: DirectPeers | undefined;
  /** Writes `n` job.submit entries as this member; returns their ids. */
  write(n: number): Promise<EntryId[]>;
  close(): Promise<void>;
}

/** A member of the net test pool on `relay`, with direct peers unless `relayOnly`, and no signalling at all with `signalling: false`. */
export async function directNode(peers: Peers, who: TestIdentity, relay: string, options: Partial<DirectOptions> & { signalling?: false } = {}): Promise<DirectNode> {
  const transports = createTransports({ relays: [relay], backoff: FAST_BACKOFF }, nodeSocketFactory);
  if (!transports.ok) throw new Error(transports.message);
  const storage = new NodeFSStorageAdapter(await peers.dir());
  const repo = new Repo({ storage, network: transports.adapters });
  const { pool, entries, proofs } = await testPool();
  const ledger = await Ledger.open({ repo, storage, pool, authoriser: new UcanAuthoriser(), now: Date.now });
  await ledger.append(entries);
  const direct = options.signalling === false
    ? undefined
    : startDirectPeers({ repo, ledger, identity: who, createPeerConnection: nodePeerConnectionFactory, helloMs: 300, log: process.env.DEBUG_DIRECT ? (l) => console.error(who.name, l) : undefined, ...options });
  const writer = ledger.writerFor(who);
  const proof = proofs.get(who.did);
  let written = 0;
  return {
    repo,
    ledger,
    direct,
    async write(n) {
      const ids: EntryId[] = [];
      for (let i = 0; i < n; i++) {
        const now = Date.now();
        const signed = await writer.write("job.submit", { task: "mandelbrot", input: utf8(`${who.name} ${written++}`), replicas: 1, reward: 1, deadline: now + 3_600_000 }, now, proof === undefined ? [] : [proof]);
        const appended = await ledger.append([signed]);
        if (!appended.ok) throw new Error(`${appended.reason}: ${appended.message}`);
        ids.push(signed.id);
      }
      return ids;
    },
    async close() {
      direct?.close();
      await ledger.settled();
      ledger.close();
      await shutdownRepo(repo);
    },
  };
}
