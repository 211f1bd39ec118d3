/**
 * One cold start, in a fresh process (bench/ledger.bench.ts spawns it), so one size's garbage and
 * caches do not bill the other. `latest` opens the pool as the CLI does (`openHomeLedger`: find
 * the pool and its latest epoch in HOME, then start from that epoch's checkpoint); `genesis`
 * re-validates epoch 0 from the start. Checks the folded count and prints the seconds the open
 * took, wall and CPU (this process's, worker threads included).
 * Usage: ledger-cold-start.ts HOME POOL NOW latest|genesis COUNT
 */
import { Repo } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { verifyNode } from "../src/core/crypto/ed25519-node.ts";
import { openEpoch } from "../src/core/ledger/epochs.ts";
import { automergeDir, openHomeLedger } from "../src/core/ledger/home-node.ts";
import type { PoolId } from "../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../src/core/ledger/ucan-authoriser.ts";

const [home, pool, now, mode, count] = process.argv.slice(2);

async function open(): Promise<number> {
  if (mode === "latest") {
    const opened = await openHomeLedger(home!, pool as PoolId, () => Number(now));
    if (!opened.ok) throw new Error(`cold start failed: ${opened.message}`);
    return opened.ledger.state.count;
  }
  const storage = new NodeFSStorageAdapter(automergeDir(home!));
  const opened = await openEpoch({ repo: new Repo({ storage }), storage, pool: pool as PoolId, authoriser: new UcanAuthoriser(), now: () => Number(now), verify: verifyNode, epoch: 0 });
  if (!opened.ok) throw new Error(`cold start failed: ${opened.message}`);
  return opened.ledger.state.count;
}

const cpu = process.cpuUsage();
const start = performance.now();
const folded = await open();
const wall = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
if (folded !== Number(count)) throw new Error(`cold start folded ${folded} entries, expected ${count}`);
process.stdout.write(`${wall} ${(used.user + used.system) / 1e6}\n`);
process.exit();
