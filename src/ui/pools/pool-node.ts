/**
 * The browser's node for the chosen pool, built through the one composition root (createNode) with
 * the browser's adapters: Web Workers for tasks, the page's device signals, the built-in task
 * modules (offered to peers as blobs), WebRTC for direct peers. Loaded lazily with the pool screens.
 */
import type { Identity } from "../../core/identity/keystore.ts";
import { ownDelegation } from "../../core/ledger/own-delegation.ts";
import { startDirectPeers } from "../../core/net/direct.ts";
import { browserPeerConnectionFactory } from "../../core/net/peer-connection-browser.ts";
import { createNode, type EdgeNode } from "../../core/node.ts";
import { createBrowserWorkerHost } from "../../core/runtime/worker-host-browser.ts";
import type { ContributionSettings } from "../../core/scheduler/index.ts";
import type { SignalSource } from "../../core/scheduler/signals.ts";
import { sealedSignals } from "../../core/privacy/sealed-signals.ts";
import { fetchTaskModule, loadCatalogue } from "../task-catalogue.ts";
import type { OpenedPool } from "./pool-actions.ts";

async function builtInModules(): Promise<Uint8Array[]> {
  const catalogue = await loadCatalogue();
  if (!catalogue.ok) return [];
  const modules = await Promise.all(catalogue.tasks.map((task) => fetchTaskModule(task)));
  return modules.flatMap((m) => (m.ok ? [m.bytes] : []));
}

/**
 * A private pool's node seals its blobs and direct-peer signals; its networked repo is the app's,
 * not the ledger's local one. `readOnly`: another tab holds the identity's writer role, so this
 * node only syncs and shows (no contribution, and no direct connections under the writer's DID).
 */
export async function startPoolNode(identity: Identity, { ledger, privacy }: OpenedPool, signals: SignalSource, settings: ContributionSettings, relay: string | undefined, readOnly: boolean): Promise<EdgeNode> {
  if (readOnly) return createNode({ identity, ledger, ...(privacy ? { privacy } : {}), tasks: await builtInModules(), readOnly });
  return createNode({
    identity,
    ledger,
    // The root's page writes checkpoints and, in a private pool too, compacts on its own (createNode).
    ...(privacy ? { privacy } : {}),
    // Read at each write: a member's proof exists only once its join is folded.
    proof: () => {
      const own = ownDelegation(ledger, identity.did);
      return own.ok ? own.proof : undefined;
    },
    tasks: await builtInModules(),
    contribute: { workerHost: createBrowserWorkerHost(), signals, host: "browser", settings },
    // Direct connections to members online together (signalled through the relay; docs/operators.md),
    // unless the pool is relay-only; the pool's TURN servers get credentials from its relay.
    direct: startDirectPeers({
      repo: privacy?.options.repo ?? ledger.options.repo,
      ledger,
      identity,
      createPeerConnection: browserPeerConnectionFactory,
      turnRelay: relay,
      ...(privacy ? { signals: sealedSignals(privacy) } : {}),
    }),
  });
}
