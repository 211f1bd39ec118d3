/**
 * One ledger node as its own process, for the cross-process tests and the network bench:
 *   node --import tsx tests/integration/net/ledger-peer.ts --as bob --dir DIR --relay URL[,URL]
 * It opens the test pool's ledger (file storage in DIR, our relay client), writes job.submit
 * entries when told on stdin (`{"write": N}` per line) and reports on stdout, one JSON object a
 * line: `ready`, `wrote` (ids and time), `seen` (ids that arrived, and when), `invalid` (what this
 * node refused and why). The pool (alice root; bob, carol and dave may submit) is built the same,
 * byte for byte, in every process, so each starts knowing the membership.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { Repo } from "@automerge/automerge-repo";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { utf8 } from "../../../src/core/crypto/index.ts";
import { shutdownRepo } from "../../../src/core/ledger/closing-storage.ts";
import { Ledger } from "../../../src/core/ledger/ledger.ts";
import { createPoolWithMembers } from "../../../src/core/ledger/pool-members.ts";
import type { EntryId, PoolId, SignedEntry } from "../../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import type { EntryWriter } from "../../../src/core/ledger/writer.ts";
import { nodeSocketFactory } from "../../../src/core/net/relay-socket-node.ts";
import { createTransports } from "../../../src/core/net/transports.ts";
import type { Did } from "../../../src/core/identity/did-key.ts";
import { alice, bob, carol, dave } from "../../fixtures/identities.ts";
import { seededRandom } from "../../fixtures/seeded-random.ts";

const T0 = Date.UTC(2026, 0, 1);
const MEMBERS = { alice, bob, carol, dave };

/** The pool; `proofs` holds each member's delegation (alice, the root, has none). */
export async function testPool(): Promise<{ pool: PoolId; entries: readonly SignedEntry[]; proofs: ReadonlyMap<Did, string> }> {
  return createPoolWithMembers({
    root: alice,
    settings: { name: "net", replication: 1, rewardPerJob: 1, vestingSeconds: 60, leaseSeconds: 30 },
    nonce: new Uint8Array(16).fill(7),
    time: T0,
    members: [bob, carol, dave].map((identity, i) => ({ identity, abilities: ["job/submit", "job/run"] as const, time: T0 + 1 + i })),
    random: seededRandom("net test pool"),
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { as: { type: "string" }, dir: { type: "string" }, relay: { type: "string" } } });
  const me = MEMBERS[values.as as keyof typeof MEMBERS];
  if (!me || !values.dir || !values.relay) throw new Error("usage: ledger-peer.ts --as alice|bob|carol|dave --dir DIR --relay URL[,URL]");
  const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
  const transports = createTransports({ relays: values.relay.split(","), backoff: { initialMs: 100, maxMs: 1_000 }, log: (line) => process.stderr.write(`${line}\n`) }, nodeSocketFactory);
  if (!transports.ok) throw new Error(transports.message);
  const storage = new NodeFSStorageAdapter(values.dir);
  const repo = new Repo({ storage, network: transports.adapters });
  const { pool, entries, proofs } = await testPool();
  const ledger = await Ledger.open({ repo, storage, pool, authoriser: new UcanAuthoriser(), now: Date.now });
  await ledger.append(entries);

  const reported = new Set<EntryId>();
  const refused = new Set<string>();
  const report = (): void => {
    const fresh = ledger.entries().filter((e) => !reported.has(e.id));
    for (const e of fresh) reported.add(e.id);
    if (fresh.length > 0) say({ event: "seen", at: Date.now(), ids: fresh.map((e) => e.id), count: ledger.state.count });
    const invalid = ledger.view().invalid.filter((i) => !refused.has(i.key));
    for (const i of invalid) refused.add(i.key);
    if (invalid.length > 0) say({ event: "invalid", entries: invalid.map((i) => ({ key: i.key, reason: i.reason })) });
  };
  ledger.subscribe(report);
  report();

  const writer: EntryWriter = ledger.writerFor(me);
  const proof = proofs.get(me.did);
  let written = 0;
  const write = async (n: number): Promise<void> => {
    const ids: EntryId[] = [];
    for (let i = 0; i < n; i++) {
      const now = Date.now();
      const signed = await writer.write("job.submit", { task: "mandelbrot", input: utf8(`${values.as} ${written++}`), replicas: 1, reward: 1, deadline: now + 3_600_000 }, now, proof === undefined ? [] : [proof]);
      const appended = await ledger.append([signed]);
      if (!appended.ok) throw new Error(`${appended.reason}: ${appended.message}`);
      ids.push(signed.id);
    }
    say({ event: "wrote", at: Date.now(), ids });
  };

  const stop = async (): Promise<void> => {
    await ledger.settled();
    ledger.close();
    await shutdownRepo(repo);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  let commands = Promise.resolve();
  createInterface({ input: process.stdin }).on("line", (line) => {
    const command = JSON.parse(line) as { write?: number };
    commands = commands.then(() => write(command.write ?? 0));
  });
  say({ event: "ready", as: values.as, pool, count: ledger.state.count });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`ledger-peer: ${(error as Error).stack}\n`);
    process.exit(1);
  });
}
