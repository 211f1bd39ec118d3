/**
 * Ledger benchmark (issue 3). Every figure beside its baseline from the same run: bare Automerge
 * holding the same payloads unsigned (same document layout, same file storage), and the raw
 * Ed25519 verify rate of the fastest API this runtime has. Targets: signed append <= 1.5x bare
 * Automerge; validate-on-load >= 2/3 of the raw verify rate; < 400 bytes per entry on disk; cold
 * start after a checkpoint within 20% between 10,000 and 100,000 entries of history.
 */
import { createPrivateKey, createPublicKey, sign as opensslSign, verify as opensslVerify } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as A from "@automerge/automerge";
import { Repo, type DocHandle, type PeerId, type StorageAdapterInterface } from "@automerge/automerge-repo";
import { MessageChannelNetworkAdapter } from "@automerge/automerge-repo-network-messagechannel";
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs";
import { verifyNode } from "../src/core/crypto/ed25519-node.ts";
import { publicKeyFromSeed, utf8, type SigningKey } from "../src/core/crypto/index.ts";
import { didFromPublicKey } from "../src/core/identity/did-key.ts";
import { draftCheckpoint } from "../src/core/ledger/checkpoints.ts";
import { signEntry, signingBytes } from "../src/core/ledger/codec.ts";
import { genesisDocument, openLedgerDocument, putEntries, type LedgerDoc } from "../src/core/ledger/document.ts";
import { writeEpoch } from "../src/core/ledger/epochs.ts";
import { Ledger } from "../src/core/ledger/ledger.ts";
import { createPoolWithMembers } from "../src/core/ledger/pool-members.ts";
import { ClosingStorage, shutdownRepo } from "../src/core/ledger/closing-storage.ts";
import { automergeDir } from "../src/core/ledger/home-node.ts";
import { EntryStore } from "../src/core/ledger/store.ts";
import { tokenCid, type TokenCid } from "../src/core/ledger/tokens.ts";
import type { PoolId, SignedEntry } from "../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../src/core/ledger/ucan-authoriser.ts";
import { validateMany } from "../src/core/ledger/validate.ts";
import { EntryWriter, resultCommitment, type Author } from "../src/core/ledger/writer.ts";

const T0 = 1_767_225_600_000;
const JOB_SPACING_MS = 900_000; // one job every 15 minutes: 100,000 entries span ~104 days
const root = mkdtempSync(join(tmpdir(), "edgepool-ledger-bench-"));
let dirs = 0;

/** node:crypto signing for the generator (fast; signatures are byte-identical to any Ed25519 signer's). */
function author(fill: number): Author {
  const seed = new Uint8Array(32).fill(fill);
  const key = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]), format: "der", type: "pkcs8" });
  const signingKey: SigningKey = { publicKey: publicKeyFromSeed(seed), sign: async (m) => new Uint8Array(opensslSign(null, m, key)) };
  return { did: didFromPublicKey(signingKey.publicKey), signingKey };
}

const owner = author(1);
const workers = [author(2), author(3), author(4)];
const SETTINGS = { name: "bench", replication: 3, rewardPerJob: 10, vestingSeconds: 86_400, leaseSeconds: 300 };

interface History {
  pool: PoolId;
  entries: SignedEntry[];
  writers: EntryWriter[];
  /** The members' delegations, which entries name by CID. */
  tokens: Map<TokenCid, string>;
}

/** A pool and `jobs` full job lifecycles (submit, 3 claims, 3 commits, 3 reveals: 10 entries each). */
async function history(jobs: number): Promise<History> {
  const members = workers.map((identity, i) => ({ identity, abilities: ["job/run" as const], time: T0 + i + 1 }));
  const created = await createPoolWithMembers({ root: owner, settings: SETTINGS, nonce: new Uint8Array(16).fill(jobs % 251), time: T0, members });
  const [root, ...writers] = [owner, ...workers].map((w) => created.writers.get(w.did)!);
  const entries = [...created.entries];
  await appendJobs(entries, root!, writers, 0, jobs);
  const tokens = new Map([...created.proofs.values()].map((t) => [tokenCid(t), t] as const));
  return { pool: created.pool, entries, writers: [root!, ...writers], tokens };
}

async function appendJobs(entries: SignedEntry[], submitter: EntryWriter, writers: EntryWriter[], from: number, to: number): Promise<void> {
  const output = new Uint8Array(32).fill(9);
  const salt = new Uint8Array(16).fill(5);
  for (let j = from; j < to; j++) {
    const t = T0 + 10_000 + j * JOB_SPACING_MS;
    const job = await submitter.write("job.submit", { task: "bench", input: new Uint8Array(16), replicas: 3, reward: 30, deadline: t + 3_600_000 }, t);
    entries.push(job);
    for (const [r, w] of writers.entries()) entries.push(await w.write("job.claim", { job: job.id, replica: r }, t + 1_000 + r));
    for (const [r, w] of writers.entries()) entries.push(await w.write("result.commit", { job: job.id, replica: r, commitment: resultCommitment(salt, output) }, t + 2_000 + r));
    for (const [r, w] of writers.entries()) entries.push(await w.write("result.reveal", { job: job.id, salt, output }, t + 3_000 + r));
  }
}

function node(): { repo: Repo; storage: NodeFSStorageAdapter; dir: string } {
  const dir = join(root, `n${dirs++}`);
  const storage = new NodeFSStorageAdapter(dir);
  return { repo: new Repo({ storage }), storage, dir };
}

function duSync(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const stat = statSync(join(dir, name));
    if (stat.isFile()) total += stat.size;
  }
  return total;
}

async function seconds(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

const options = (repo: Repo, storage: NodeFSStorageAdapter, pool: PoolId, now: number) => ({ repo, storage, pool, authoriser: new UcanAuthoriser(), now: () => now, verify: verifyNode });
/** Signs an entry again (as its writer would), with the delegation it names attached. */
const resign = async (s: SignedEntry): Promise<SignedEntry> => ({ ...(await signEntry(keyOf(s.entry.author), s.entry)), ...(s.tokens ? { tokens: s.tokens } : {}) });

/** A bare Automerge document with the ledger's layout, holding unsigned payloads under the same keys. */
function bareDoc(repo: Repo): DocHandle<LedgerDoc> {
  return repo.import<LedgerDoc>(genesisDocument());
}
const unsigned = (entries: readonly SignedEntry[]) => entries.map((s) => ({ id: s.id, bytes: signingBytes(s.entry) }));

// --- raw verify and validation -----------------------------------------------------------------
type Rates = Record<string, () => Promise<number>>;

/** The raw verify APIs, each as a timed run over the entries' signatures (verifies/s). `parallel` only: the ones using every core. */
async function rawVerifiers(entries: SignedEntry[]): Promise<{ all: Rates; parallel: Rates }> {
  const items = entries.map((s) => ({ key: createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), publicKeyOf(s)]), format: "der", type: "spki" }), msg: signingBytes(s.entry), sig: s.entry.sig }));
  const subtle = globalThis.crypto.subtle;
  const webKeys = new Map<string, CryptoKey>();
  for (const s of entries) if (!webKeys.has(s.entry.author)) webKeys.set(s.entry.author, await subtle.importKey("raw", publicKeyOf(s) as Uint8Array<ArrayBuffer>, { name: "Ed25519" }, false, ["verify"]));
  const n = items.length;
  const parallel: Rates = {
    "node:crypto verify, thread pool (parallel)": async () =>
      n / (await seconds(() => Promise.all(items.map((x) => new Promise((r) => opensslVerify(null, x.msg, x.key, x.sig, (_e, ok) => r(ok))))))),
    "WebCrypto verify (parallel promises)": async () =>
      n / (await seconds(() => Promise.all(entries.map((s, i) => subtle.verify("Ed25519", webKeys.get(s.entry.author)!, s.entry.sig as Uint8Array<ArrayBuffer>, items[i]!.msg as Uint8Array<ArrayBuffer>))))),
  };
  const all: Rates = { "node:crypto verify, sync": async () => n / (await seconds(async () => items.forEach((x) => opensslVerify(null, x.msg, x.key, x.sig)))), ...parallel };
  return { all, parallel };
}

async function rawVerifyRates(rates: Rates): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [api, rate] of Object.entries(rates)) out[api] = await rate();
  return out;
}

const VALIDATE_ROUNDS = 5;

interface ValidateFigures {
  /** Entries/s validated and the fastest raw verify rate, medians of the rounds. */
  validate: number;
  raw: number;
  /** Each round's validate / fastest raw rate (the figure is their median). */
  ratios: number[];
}

/**
 * Validation against the fastest parallel raw verify, in paired rounds with the side going first
 * alternating (one untimed warm-up pair): measured minutes apart, the two figures drifted with a
 * shared machine's load. Both use every core: validation decodes on the main thread while
 * node:crypto verifies on libuv's thread pool, the same pool the raw APIs run on.
 */
async function validateRates(h: History, raw: Rates): Promise<ValidateFigures> {
  const n = h.entries.length;
  const authoriser = new UcanAuthoriser();
  for (const token of h.tokens.values()) authoriser.tokens.add(token);
  const context = { pool: h.pool, authoriser, now: () => T0 + 1e12, skewMs: 0, verify: verifyNode };
  const bytes = h.entries.map((s) => s.bytes);
  const validate = async (): Promise<number> => n / (await seconds(() => validateMany(bytes, context)));
  const fastest = async (): Promise<number> => Math.max(...Object.values(await rawVerifyRates(raw)));
  const validated: number[] = [];
  const raws: number[] = [];
  for (let round = -1; round < VALIDATE_ROUNDS; round++) {
    let v: number;
    let r: number;
    if (round % 2 === 0) {
      v = await validate();
      r = await fastest();
    } else {
      r = await fastest();
      v = await validate();
    }
    if (round < 0) continue;
    validated.push(v);
    raws.push(r);
  }
  return { validate: median(validated), raw: median(raws), ratios: validated.map((v, i) => v / raws[i]!) };
}
const keyOf = (did: string): SigningKey => workers.concat(owner).find((w) => w.did === did)!.signingKey;
const publicKeyOf = (s: SignedEntry): Uint8Array => keyOf(s.entry.author).publicKey;

// --- appends -----------------------------------------------------------------------------------
interface AppendFigures {
  /** Entries/s (median of the rounds): appending entries already signed, and bare Automerge with the same payloads. */
  single: [number, number];
  batch: [number, number];
  /** Ledger / bare cost of each round (the figure's ratio is their median). */
  singleRatios: number[];
  batchRatios: number[];
  /** Entries/s signing them (as the node's writer does before appending). */
  signing: number;
}

const APPEND_ROUNDS = 5;

/** Appends `signed` to a fresh ledger, `per` entries per append; entries/s. */
async function ledgerAppendRate(h: History, signed: SignedEntry[], per: number): Promise<number> {
  const { repo, storage } = node();
  const ledger = await Ledger.open(options(repo, storage, h.pool, T0 + 1e12));
  const t = await seconds(async () => {
    for (let i = 0; i < signed.length; i += per) await ledger.append(signed.slice(i, i + per));
  });
  await ledger.persisted();
  if (ledger.state.count !== signed.length) throw new Error(`appended ${signed.length}, folded ${ledger.state.count}`);
  await repo.shutdown();
  return signed.length / t;
}

/** Puts the same payloads unsigned into a fresh bare document, `per` per change; entries/s. */
async function bareAppendRate(entries: SignedEntry[], per: number): Promise<number> {
  const { repo } = node();
  const doc = bareDoc(repo);
  await doc.whenReady();
  const payloads = unsigned(entries) as SignedEntry[];
  const t = await seconds(async () => {
    for (let i = 0; i < payloads.length; i += per) putEntries(doc, payloads.slice(i, i + per));
  });
  await repo.shutdown();
  return entries.length / t;
}

/**
 * Ledger and bare rates in paired rounds, the first side alternating: whichever ran first in a
 * fresh process paid for the engine's warm-up (Automerge's wasm is compiled to optimised code in
 * the background while it runs) and measured 1.4-2x slower than the same run second. One untimed
 * pair warms both first. Signed afresh each round: a ledger skips re-verifying only bytes signed
 * in this process and not appended yet.
 */
async function pairedRates(h: History, entries: SignedEntry[], per: number): Promise<{ rates: [number, number]; ratios: number[] }> {
  const ledgerRates: number[] = [];
  const bareRates: number[] = [];
  for (let round = -1; round < APPEND_ROUNDS; round++) {
    const signed = await Promise.all(entries.map(resign));
    let ledgerRate: number;
    let bareRate: number;
    if (round % 2 === 0) {
      ledgerRate = await ledgerAppendRate(h, signed, per);
      bareRate = await bareAppendRate(entries, per);
    } else {
      bareRate = await bareAppendRate(entries, per);
      ledgerRate = await ledgerAppendRate(h, signed, per);
    }
    if (round < 0) continue;
    ledgerRates.push(ledgerRate);
    bareRates.push(bareRate);
  }
  return { rates: [median(ledgerRates), median(bareRates)], ratios: ledgerRates.map((l, i) => bareRates[i]! / l) };
}

async function appendRates(h: History, single: number, batch: number): Promise<AppendFigures> {
  const batches = h.entries.slice(0, batch);
  const signing = batch / (await seconds(() => Promise.all(batches.map(resign))));
  const singles = await pairedRates(h, h.entries.slice(0, single), 1);
  const batched = await pairedRates(h, batches, 1000);
  return { single: singles.rates, batch: batched.rates, singleRatios: singles.ratios, batchRatios: batched.ratios, signing };
}

// --- load, sync, disk ---------------------------------------------------------------------------
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

type Peer = ReturnType<typeof node>;

/** Two repos wired by a MessageChannel; `close` also closes the ports (open ports keep Node alive). */
function connectedPair(): { a: Peer; b: Peer; close(): Promise<void> } {
  const { port1, port2 } = new MessageChannel();
  const make = (port: MessagePort, name: string): Peer => {
    const dir = join(root, `n${dirs++}`);
    const storage = new NodeFSStorageAdapter(dir);
    return { dir, storage, repo: new Repo({ storage, peerId: name as PeerId, network: [new MessageChannelNetworkAdapter(port as never)] }) };
  };
  const a = make(port1, "a");
  const b = make(port2, "b");
  return {
    a,
    b,
    async close() {
      await Promise.all([a.repo.shutdown(), b.repo.shutdown()]);
      port1.close();
      port2.close();
    },
  };
}

/** Writes a history into a node's epoch-0 document and own store, as a node that validated it would. */
async function stored(repo: Repo, storage: StorageAdapterInterface, h: History, entries = h.entries): Promise<void> {
  const handle = await openLedgerDocument(repo, h.pool, 0);
  const store = new EntryStore(storage, h.pool, 0);
  for (let i = 0; i < entries.length; i += 10_000) {
    putEntries(handle, entries.slice(i, i + 10_000), i === 0 ? h.tokens : undefined);
    await store.save(entries.slice(i, i + 10_000));
  }
  await new EntryStore(storage, h.pool, "tokens").save([...h.tokens.values()].map((t) => ({ bytes: utf8(t) })));
  await repo.flush();
}

async function loadFigures(h: History): Promise<{ open: number; bareOpen: number; bytes: number; storeBytes: number; bareBytes: number }> {
  const n = h.entries.length;
  const a = node();
  await stored(a.repo, a.storage, h);
  await a.repo.shutdown();
  const bytes = duSync(a.dir) / n;
  const storeBytes = duSync(join(a.dir, "ed")) / n;
  const reopened = new Repo({ storage: a.storage });
  const open = n / (await seconds(async () => {
    const ledger = await Ledger.open(options(reopened, a.storage, h.pool, T0 + 1e12));
    if (ledger.state.count !== n) throw new Error(`loaded ${ledger.state.count} of ${n}`);
  }));
  await reopened.shutdown();
  const b = node();
  const bare = bareDoc(b.repo);
  await bare.whenReady();
  putEntries(bare, unsigned(h.entries) as SignedEntry[]);
  await b.repo.flush();
  // The compacted document, as automerge-repo stores it in a snapshot after a flush.
  const bareBytes = A.save(bare.doc()).length / n;
  await b.repo.shutdown();
  const bareRepo = new Repo({ storage: b.storage });
  const bareOpen = n / (await seconds(() => bareRepo.find(bare.url)));
  await bareRepo.shutdown();
  return { open, bareOpen, bytes, storeBytes, bareBytes };
}

async function syncTimes(h: History): Promise<[number, number]> {
  const n = h.entries.length;
  const signedPair = connectedPair();
  await stored(signedPair.a.repo, signedPair.a.storage, h);
  const signed = await seconds(async () => {
    const ledger = await Ledger.open(options(signedPair.b.repo, signedPair.b.storage, h.pool, T0 + 1e12));
    await until(() => ledger.state.count === n);
  });
  await signedPair.close();
  const barePair = connectedPair();
  const bare = bareDoc(barePair.a.repo);
  await bare.whenReady();
  putEntries(bare, unsigned(h.entries) as SignedEntry[]);
  const plain = await seconds(async () => {
    const handle = await barePair.b.repo.find<LedgerDoc>(bare.url);
    await until(() => Object.values(handle.doc().entries).reduce((k, bucket) => k + Object.keys(bucket).length, 0) === n);
  });
  await barePair.close();
  return [signed, plain];
}

const COLD_RUNS = 5;

interface PreparedNode {
  /** The node's home: its repo's files are in HOME/automerge, as the CLI keeps them. */
  readonly home: string;
  readonly pool: PoolId;
  readonly now: number;
  readonly history: number;
  readonly total: number;
}

/** A node's storage holding `jobs` jobs of history in epoch 0 and, from a checkpoint, 100 more jobs in epoch 1. */
async function prepare(jobs: number): Promise<PreparedNode> {
  const h = await history(jobs);
  const through = h.entries.at(-1)!.entry.time;
  const draft = draftCheckpoint(h.entries, through, new UcanAuthoriser());
  // Names epoch 1, as a compacting checkpoint does; writeEpoch builds the document as every node does (startEpochDocument).
  const checkpoint = await h.writers[0]!.write("checkpoint", { ...draft.body, epoch: 1 }, through + 1);
  const later: SignedEntry[] = [];
  await appendJobs(later, h.writers[0]!, h.writers.slice(1), jobs + 1, jobs + 101);
  const home = join(root, `n${dirs++}`);
  const storage = new ClosingStorage(new NodeFSStorageAdapter(automergeDir(home)));
  const repo = new Repo({ storage });
  await stored(repo, storage, h);
  await writeEpoch({ repo, storage, pool: h.pool, epoch: 1, checkpoint, snapshot: draft.snapshot, later });
  await repo.flush();
  // A throttled save that fired after shutdown rewrote the document while a cold-start process
  // was reading it (seen at load 40: "epoch 1 has no checkpoint and snapshot yet").
  await shutdownRepo(repo, storage);
  return { home, pool: h.pool, now: later.at(-1)!.entry.time + 1, history: h.entries.length, total: h.entries.length + 1 + later.length };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One cold start in a fresh process (bench/ledger-cold-start.ts); returns its wall and CPU seconds. */
function coldStartProcess(prepared: PreparedNode, mode: "latest" | "genesis", count: number): { wall: number; cpu: number } {
  const script = fileURLToPath(new URL("./ledger-cold-start.ts", import.meta.url));
  const run = spawnSync(process.execPath, ["--import", "tsx", script, prepared.home, prepared.pool, String(prepared.now), mode, String(count)], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`cold start process failed: ${run.stderr}`);
  const [wall, cpu] = run.stdout.trim().split(" ").map(Number);
  return { wall: wall!, cpu: cpu! };
}

interface ColdStart {
  readonly entries: number;
  /** From genesis, once (it re-validates the whole history). */
  readonly full: number;
  /** From the checkpoint, as the CLI opens a pool: wall and CPU seconds of each run. */
  readonly wall: number[];
  readonly cpu: number[];
}

/**
 * Cold starts of prepared nodes, each in a fresh process, the sizes taking turns run by run: on
 * a shared machine the load drifts over minutes, and measuring one size after the other billed
 * that drift to whichever came second.
 */
async function coldStarts(sizes: readonly number[]): Promise<ColdStart[]> {
  const prepared: PreparedNode[] = [];
  for (const jobs of sizes) prepared.push(await prepare(jobs));
  const runs = prepared.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let r = 0; r < COLD_RUNS; r++) {
    for (const [i, node] of prepared.entries()) {
      const { wall, cpu } = coldStartProcess(node, "latest", node.total);
      runs[i]!.wall.push(wall);
      runs[i]!.cpu.push(cpu);
    }
  }
  return prepared.map((node, i) => ({ entries: node.history, full: coldStartProcess(node, "genesis", node.history).wall, ...runs[i]! }));
}

// --- report -------------------------------------------------------------------------------------
/** The median of paired rounds' cost ratios, with every round's. */
const costs = (ratios: number[]): string => `${median(ratios).toFixed(2)}x cost (rounds: ${ratios.map((r) => r.toFixed(2)).join(", ")})`;
const fmt = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toFixed(2));

/** Progress on stderr (the table goes to stdout). */
async function step<T>(label: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await run();
  const figures = label.startsWith("signed") ? "" : ` ${JSON.stringify(result)}`;
  process.stderr.write(`ledger bench: ${label} (${((performance.now() - start) / 1000).toFixed(1)} s)${figures}\n`);
  return result;
}

async function main(): Promise<void> {
  const h = await step("signed 10,000 entries of history", () => history(1_000));
  const tenK = h.entries.slice(0, 10_000);
  const verifiers = await rawVerifiers(tenK);
  const raw = await step("raw verify", () => rawVerifyRates(verifiers.all));
  const validation = await step("validate, paired with raw verify", () => validateRates({ ...h, entries: tenK }, verifiers.parallel));
  const appends = await step("appends", () => appendRates(h, 1_000, 10_000));
  const load = await step("load", () => loadFigures({ ...h, entries: tenK }));
  const [syncSigned, syncBare] = await step("sync", () => syncTimes({ ...h, entries: tenK }));
  const [cold10, cold100] = (await step("cold starts, 10,000 and 100,000", () => coldStarts([1_000, 10_000]))) as [ColdStart, ColdStart];
  const rows: string[][] = [
    ...Object.entries(raw).map(([api, rate]) => [`raw Ed25519 verify: ${api}`, `${fmt(rate)}/s`, "", ""]),
    [`append signed entries, one per change (entries/s, median of ${APPEND_ROUNDS} paired rounds)`, fmt(appends.single[0]), fmt(appends.single[1]), costs(appends.singleRatios)],
    [`append signed entries, 1,000 per change (entries/s, median of ${APPEND_ROUNDS} paired rounds)`, fmt(appends.batch[0]), fmt(appends.batch[1]), costs(appends.batchRatios)],
    ["sign entries (the writer, before appending; entries/s)", fmt(appends.signing), "", ""],
    ["sign + append, 1,000 per change (entries/s)", fmt(1 / (1 / appends.signing + 1 / appends.batch[0])), fmt(appends.batch[1]), `${(appends.batch[1] * (1 / appends.signing + 1 / appends.batch[0])).toFixed(2)}x cost`],
    [
      `validate 10,000 entries (entries/s, median of ${VALIDATE_ROUNDS} rounds paired with the fastest parallel raw verify)`,
      fmt(validation.validate),
      `raw verify ${fmt(validation.raw)}`,
      `${median(validation.ratios).toFixed(2)} of raw (rounds: ${validation.ratios.map((r) => r.toFixed(2)).join(", ")})`,
    ],
    [
      "open a node with 10,000 stored entries (entries/s)",
      fmt(load.open),
      `bare Automerge open ${fmt(load.bareOpen)}`,
      `${(load.open / load.bareOpen).toFixed(2)}x bare Automerge; ${(load.open / validation.raw).toFixed(2)} of raw verify (${fmt(validation.raw)})`,
    ],
    ["sync 10,000 entries to a second repo (s)", syncSigned.toFixed(2), syncBare.toFixed(2), `${(syncSigned / syncBare).toFixed(2)}x`],
    ["bytes per entry on disk (document + own store)", fmt(load.bytes), fmt(load.bareBytes), `own store ${fmt(load.storeBytes)}`],
    [`cold start, ${fmt(cold10.entries)} entries, no checkpoint (s)`, cold10.full.toFixed(2), "", ""],
    [`cold start, ${fmt(cold100.entries)} entries, no checkpoint (s)`, cold100.full.toFixed(2), "", ""],
    ...[cold10, cold100].map((c) => [
      `cold start after a checkpoint, ${fmt(c.entries)} history + 1,000 (s, wall / CPU, median of ${COLD_RUNS} fresh processes; wall: ${c.wall.map((r) => r.toFixed(2)).join(", ")})`,
      `${median(c.wall).toFixed(2)} / ${median(c.cpu).toFixed(2)}`,
      "",
      c === cold100 ? `${(median(cold100.wall) / median(cold10.wall)).toFixed(2)}x / ${(median(cold100.cpu) / median(cold10.cpu)).toFixed(2)}x the 10k figure` : "",
    ]),
  ];
  console.log(`Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} on this machine during the run.\n`);
  console.log("| figure | EdgePool ledger | baseline (bare Automerge, unsigned; or raw verify) | ratio |");
  console.log("|---|---|---|---|");
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}

try {
  await main();
} finally {
  rmSync(root, { recursive: true, force: true });
}
// Repos that were shut down can leave throttle timers behind; the runner waits for this process.
process.exit();
