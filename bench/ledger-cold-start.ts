/**
 * One cold start, in a fresh process (bench/ledger.bench.ts spawns it): opens a prepared node's
 * storage, from the checkpoint (epoch 1) or from genesis (epoch 0), checks the count and prints
 * the seconds the open took. A fresh process per start, so one size's garbage and caches do not
 * bill the other. Usage: ledger-cold-start.ts DIR POOL NOW EPOCH COUNT
 */
import { Repo } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { verifyNode } from "../src/core/crypto/ed25519-node.ts";
import { openEpoch } from "../src/core/ledger/epochs.ts";
import type { PoolId } from "../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../src/core/ledger/ucan-authoriser.ts";

const [dir, pool, now, epoch, count] = process.argv.slice(2);
const storage = new NodeFSStorageAdapter(dir!);
const repo = new Repo({ storage });
const start = performance.now();
const opened = await openEpoch({ repo, storage, pool: pool as PoolId, authoriser: new UcanAuthoriser(), now: () => Number(now), verify: verifyNode, epoch: Number(epoch) });
const seconds = (performance.now() - start) / 1000;
if (!opened.ok) throw new Error(`cold start failed: ${opened.message}`);
if (opened.ledger.state.count !== Number(count)) throw new Error(`cold start folded ${opened.ledger.state.count} entries, expected ${count}`);
process.stdout.write(`${seconds}\n`);
process.exit();
