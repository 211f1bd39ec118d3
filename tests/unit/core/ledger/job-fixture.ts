/**
 * A pool for job-rule tests: alice owns it, bob submits, carol, dave and mallory run jobs. Helpers
 * write claims, commits and reveals with fixed times, so a test reads as the story it checks.
 */
import { bytesToHex, sha256, utf8 } from "../../../../src/core/crypto/index.ts";
import { draftCheckpoint } from "../../../../src/core/ledger/checkpoints.ts";
import { foldEntries } from "../../../../src/core/ledger/fold.ts";
import { createPoolWithMembers } from "../../../../src/core/ledger/pool-members.ts";
import { UcanAuthoriser } from "../../../../src/core/ledger/ucan-authoriser.ts";
import type { PoolSettingsState } from "../../../../src/core/ledger/state.ts";
import type { EntryId, SignedEntry } from "../../../../src/core/ledger/types.ts";
import { EntryWriter, resultCommitment } from "../../../../src/core/ledger/writer.ts";
import { seedSigningKey } from "../../../../src/core/crypto/index.ts";
import { didFromPublicKey } from "../../../../src/core/identity/did-key.ts";
import { alice, bob, carol, dave, mallory, type TestIdentity } from "../../../fixtures/identities.ts";
import { seededRandom } from "../../../fixtures/seeded-random.ts";
import { solveJoinStamp } from "../../../../src/core/capability/join-stamp.ts";
import { EPOCH_MS } from "../../../../src/core/ledger/params.ts";

function identity(name: string, fill: number): TestIdentity {
  const seed = new Uint8Array(32).fill(fill);
  const signingKey = seedSigningKey(seed);
  return { name, did: didFromPublicKey(signingKey.publicKey), signingKey, seed };
}

/** More workers beyond the named fixtures (a job escalated twice needs seven). */
export const extraWorkers: TestIdentity[] = [0x71, 0x72, 0x73].map((fill, i) => identity(`worker${i + 1}`, fill));

/** A member holding only `job/audit` (in pools built with `{ auditor: true }`). */
export const auditor: TestIdentity = identity("auditor", 0x7a);

export const T0 = 1_767_225_600_000;
export const LEASE_MS = 300_000;
export const SETTINGS: PoolSettingsState = { name: "jobs", replication: 3, rewardPerJob: 10, vestingSeconds: 86_400, leaseSeconds: LEASE_MS / 1000 };
export const RIGHT = sha256(utf8("right"));
export const WRONG = sha256(utf8("wrong"));

export const hex = bytesToHex;

export interface JobPool {
  readonly entries: SignedEntry[];
  readonly writers: Map<string, EntryWriter>;
  add(p: Promise<SignedEntry>): Promise<SignedEntry>;
  /** A job.submit by bob (or `by`). */
  submit(body: Partial<{ replicas: number; reward: number; deadline: number; spot: number; adaptive: number }>, time: number, by?: TestIdentity): Promise<EntryId>;
  claim(who: TestIdentity, job: EntryId, replica: number, time: number): Promise<SignedEntry>;
  commit(who: TestIdentity, job: EntryId, replica: number, output: Uint8Array, time: number): Promise<SignedEntry>;
  reveal(who: TestIdentity, job: EntryId, output: Uint8Array, time: number): Promise<SignedEntry>;
  /** The root's checkpoint through `through` (over the entries so far), written at `time`. */
  checkpoint(through: number, time: number): Promise<SignedEntry>;
  /** Any entry by anyone. */
  write(who: TestIdentity, kind: Parameters<EntryWriter["write"]>[0], body: Record<string, unknown>, time: number): Promise<SignedEntry>;
  /** claim, commit (1 s later) by one worker. */
  work(who: TestIdentity, job: EntryId, replica: number, output: Uint8Array, time: number): Promise<void>;
  fold(): ReturnType<typeof foldEntries>;
}

export const saltOf = (who: TestIdentity): Uint8Array => sha256(utf8(`salt ${who.did}`)).subarray(0, 16);

/** Stamp difficulty of open job pools: cheap to solve in a test. */
const OPEN_STAMP_BITS = 4;

export interface JobPoolOptions {
  /** Adds a member holding only `job/audit`. */
  readonly auditor?: boolean;
  /** Makes the pool open: these strangers join with stamps (job/run and job/submit), after the invited members. */
  readonly strangers?: readonly TestIdentity[];
}

export async function jobPool(settings: PoolSettingsState = SETTINGS, options: JobPoolOptions = {}): Promise<JobPool> {
  const created = await createPoolWithMembers({
    root: alice,
    settings,
    nonce: new Uint8Array(16).fill(3),
    time: T0,
    ...(options.strangers ? { open: { stampBits: OPEN_STAMP_BITS } } : {}),
    members: [
      { identity: bob, abilities: ["job/run", "job/submit"], time: T0 + 1 },
      ...[carol, dave, mallory, ...extraWorkers].map((identity, i) => ({ identity, abilities: ["job/run" as const], time: T0 + 2 + i })),
      ...(options.auditor ? [{ identity: auditor, abilities: ["job/audit" as const], time: T0 + 9 }] : []),
    ],
    random: seededRandom("job fixture"),
  });
  const writers = new Map<string, EntryWriter>(created.writers);
  const writer = (who: TestIdentity) => writers.get(who.did) ?? writers.set(who.did, new EntryWriter(who, created.pool)).get(who.did)!;
  const entries: SignedEntry[] = [...created.entries];
  for (const [i, stranger] of (options.strangers ?? []).entries()) {
    const time = T0 + 20 + i;
    const solved = await solveJoinStamp({ pool: created.pool, did: stranger.did }, OPEN_STAMP_BITS, Math.floor(time / EPOCH_MS), { start: new Uint8Array(8) });
    if (!solved.ok) throw new Error(solved.message);
    entries.push(await writer(stranger).write("member.join", { member: stranger.did, abilities: ["job/run", "job/submit"], stamp: solved.stamp }, time));
  }
  const add = async (p: Promise<SignedEntry>) => {
    const signed = await p;
    entries.push(signed);
    return signed;
  };
  const authoriser = new UcanAuthoriser();
  const pool: JobPool = {
    entries,
    writers,
    add,
    async submit(body, time, by = bob) {
      const full = { task: "t", input: utf8("in"), replicas: 3, reward: 30, deadline: time + 3_600_000, ...body };
      return (await add(writer(by).write("job.submit", full, time))).id;
    },
    claim: (who, job, replica, time) => add(writer(who).write("job.claim", { job, replica }, time)),
    commit: (who, job, replica, output, time) => add(writer(who).write("result.commit", { job, replica, commitment: resultCommitment(saltOf(who), output) }, time)),
    reveal: (who, job, output, time) => add(writer(who).write("result.reveal", { job, salt: saltOf(who), output }, time)),
    checkpoint: (through, time) => add(writer(alice).write("checkpoint", draftCheckpoint(entries, through, authoriser).body, time)),
    write: (who, kind, body, time) => add(writer(who).write(kind, body, time)),
    async work(who, job, replica, output, time) {
      await pool.claim(who, job, replica, time);
      await pool.commit(who, job, replica, output, time + 1_000);
    },
    fold: () => foldEntries(entries, authoriser),
  };
  return pool;
}
