/**
 * A relay that lies (DESIGN.md, Network: it "can delay, drop or write garbage into the document,
 * never forge"). A stock automerge-repo sync server whose own repo, for every entry that appears in
 * a ledger document, either deletes it or overwrites its bytes with a copy that has one byte
 * changed, and adds that altered copy under the id its bytes hash to (a rewritten entry). Each
 * entry is tampered with once, so the honest nodes' repairs are what the test observes.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { Repo, type DocHandle } from "@automerge/automerge-repo";
import { WebSocketServerAdapter } from "@automerge/automerge-repo-network-websocket";
import { entryIdOf } from "../../../src/core/ledger/codec.ts";
import { bucketOf, type LedgerDoc } from "../../../src/core/ledger/document.ts";

export interface TamperingRelay {
  readonly url: string;
  /** Ids deleted, and ids whose bytes were overwritten (with the id of the rewritten copy). */
  readonly deleted: Set<string>;
  readonly rewritten: Map<string, string>;
  close(): Promise<void>;
}

export async function startTamperingRelay(spare: ReadonlySet<string>): Promise<TamperingRelay> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  wss.on("connection", (socket) => socket.on("error", () => {}));
  const repo = new Repo({ network: [new WebSocketServerAdapter(wss as never)] });
  const touched = new Set<string>(spare);
  const deleted = new Set<string>();
  const rewritten = new Map<string, string>();

  const tamper = (handle: DocHandle<LedgerDoc>): void => {
    const doc = handle.doc();
    const fresh = Object.values(doc.entries ?? {}).flatMap((bucket) => Object.keys(bucket)).filter((id) => !touched.has(id));
    if (fresh.length === 0) return;
    handle.change((d) => {
      for (const id of fresh) {
        touched.add(id);
        const bucket = d.entries[bucketOf(id)]!;
        if ((deleted.size + rewritten.size) % 2 === 0) {
          delete bucket[id];
          deleted.add(id);
          continue;
        }
        const altered = new Uint8Array(bucket[id]!);
        altered[altered.length - 1]! ^= 0x01;
        const forgedId = entryIdOf(altered);
        touched.add(forgedId);
        bucket[id] = altered;
        d.entries[bucketOf(forgedId)]![forgedId] = altered;
        rewritten.set(id, forgedId);
      }
    });
  };
  // Looks at every document the relay holds, often: the attack needs no notice from the repo.
  const sweep = setInterval(() => {
    for (const handle of Object.values(repo.handles)) if (handle.isReady()) tamper(handle as DocHandle<LedgerDoc>);
  }, 20);

  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`,
    deleted,
    rewritten,
    async close() {
      clearInterval(sweep);
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => http.close(() => resolve())));
      await repo.shutdown();
    },
  };
}
