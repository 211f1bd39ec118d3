/**
 * The test vectors, computed from the reference story (story.ts): valid entries with the state
 * they fold to, entries refused on their own (stateless), and entries refused only beside others
 * (set-level), each with its exact reason. `generate.ts` writes them to JSON; the tests recompute
 * them and require the committed files to match byte for byte.
 */
import * as dagCbor from "@ipld/dag-cbor";
import { tokenHash } from "../../src/core/capability/chain.ts";
import { delegate } from "../../src/core/capability/issue.ts";
import { bytesToHex, seedSigningKey, sha256, utf8 } from "../../src/core/crypto/index.ts";
import { didFromPublicKey } from "../../src/core/identity/did-key.ts";
import { entryIdOf, signEntry } from "../../src/core/ledger/codec.ts";
import { foldEntries } from "../../src/core/ledger/fold.ts";
import { KIND_RULES } from "../../src/core/ledger/kinds.ts";
import { toJsonSchema } from "../../src/core/ledger/schema.ts";
import { encodeState, stateHash } from "../../src/core/ledger/state.ts";
import type { Entry, SignedEntry } from "../../src/core/ledger/types.ts";
import { tokenCid } from "../../src/core/ledger/tokens.ts";
import { UcanAuthoriser } from "../../src/core/ledger/ucan-authoriser.ts";
import { DEFAULT_SKEW_MS } from "../../src/core/ledger/validate.ts";
import { createPool, EntryWriter, resultCommitment } from "../../src/core/ledger/writer.ts";
import { alice, bob, carol, dave, mallory } from "../../tests/fixtures/identities.ts";
import { SETTINGS, T0, writeStory } from "./story.ts";

/** The reader's clock for every vector (ms since the Unix epoch) and the allowed skew. */
export const NOW = T0 + 100_000;

export interface StatelessCase {
  readonly name: string;
  readonly hex: string;
  readonly reason: string;
}

export interface SetCase {
  readonly name: string;
  /** Entries added to the valid story (hex); `reasons` names every entry the fold then refuses, and why. */
  readonly add: readonly string[];
  readonly reasons: Readonly<Record<string, string>>;
}

const hexOf = (s: SignedEntry): string => bytesToHex(s.bytes);
/** The tokens some entries name by CID, sorted by CID: what a document's `tokens` would hold for them. */
const tokensOf = (entries: readonly SignedEntry[]): Record<string, string> =>
  Object.fromEntries(entries.flatMap((s) => (s.tokens ?? []).map((t) => [tokenCid(t), t] as const)).sort(([a], [b]) => (a < b ? -1 : 1)));
const raw = (value: unknown): string => bytesToHex(dagCbor.encode(value));
/** Re-signs a changed entry (by default as bob, who wrote the join the stateless cases start from). */
const resign = async (entry: Entry, key = bob.signingKey): Promise<string> => hexOf(await signEntry(key, entry));

export async function buildVectors() {
  const story = await writeStory();
  const { pool, jobId } = story;
  const fold = foldEntries(story.entries, new UcanAuthoriser());
  const submit = story.entries.find((s) => s.entry.kind === "job.submit")!;
  const join = story.entries[1]!;
  const base = { ...join.entry };
  const { replicas: _dropped, ...withoutReplicas } = submit.entry.body;

  const valid = {
    description: "The reference story (ledger/vectors/story.ts): every entry is valid; folding them in any order gives `state`.",
    pool,
    now: NOW,
    skewMs: DEFAULT_SKEW_MS,
    entries: story.entries.map((s) => ({ id: s.id, kind: s.entry.kind, author: s.entry.author, seq: s.entry.seq, hex: hexOf(s) })),
    tokens: tokensOf(story.entries),
    stateHash: stateHash(fold.state),
    stateHex: bytesToHex(encodeState(fold.state)),
  };

  const otherPool = await createPool(alice, SETTINGS, new Uint8Array(16).fill(9), T0);
  const widened = (() => {
    const seqKey = [0x63, 0x73, 0x65, 0x71, join.entry.seq];
    const at = join.bytes.findIndex((_, i) => seqKey.every((b, j) => join.bytes[i + j] === b)) + 4;
    return bytesToHex(Uint8Array.from([...join.bytes.subarray(0, at), 0x18, join.entry.seq, ...join.bytes.subarray(at + 1)]));
  })();
  const flipped = join.bytes.slice();
  const sigAt = join.bytes.findIndex((_, i) => join.entry.sig.every((b, j) => join.bytes[i + j] === b));
  flipped[sigAt + 10] = flipped[sigAt + 10]! ^ 1;
  const escalated = await escalatedJoin(story);
  const stranger = await escalatedJoin(story, "an unpublished nonce");
  const stateless: StatelessCase[] = [
    { name: "larger than 16,384 bytes", hex: "00".repeat(16_385), reason: "too-large" },
    { name: "not CBOR", hex: "ff00", reason: "malformed" },
    { name: "an integer not in its shortest form", hex: widened, reason: "malformed" },
    { name: "a field too many", hex: raw({ ...join.entry, extra: 1 }), reason: "malformed" },
    { name: "version 2", hex: await resign({ ...base, v: 2 }), reason: "bad-version" },
    { name: "an unknown kind", hex: await resign({ ...base, kind: "pool.delete" as never }), reason: "unknown-kind" },
    { name: "an X25519 did:key as author", hex: raw({ ...base, author: "did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc" }), reason: "bad-author" },
    { name: "one flipped bit in the signature", hex: bytesToHex(flipped), reason: "bad-signature" },
    { name: "signed by someone other than its author", hex: await resign(base, mallory.signingKey), reason: "bad-signature" },
    { name: "an entry of another pool", hex: hexOf(await new EntryWriter(alice, otherPool.pool, 1).write("member.join", join.entry.body, T0 + 1_000)), reason: "wrong-pool" },
    { name: "time beyond the clock plus skew", hex: await resign({ ...base, time: NOW + DEFAULT_SKEW_MS + 1 }), reason: "future-time" },
    { name: "a body field missing", hex: await resign({ ...submit.entry, body: withoutReplicas }, bob.signingKey), reason: "bad-body" },
    { name: "a float where an integer belongs", hex: await resign({ ...submit.entry, body: { ...submit.entry.body, reward: 1.5 } }, bob.signingKey), reason: "bad-body" },
    { name: "a deadline before the entry's time", hex: await resign({ ...submit.entry, body: { ...submit.entry.body, deadline: T0 } }, bob.signingKey), reason: "bad-body" },
    { name: "pool.create whose nonce does not derive the pool id", hex: await resign({ ...story.entries[0]!.entry, body: { ...story.entries[0]!.entry.body, nonce: new Uint8Array(16) } }, alice.signingKey), reason: "bad-body" },
    { name: "a join whose delegation grants an ability its issuer does not hold", hex: hexOf(escalated), reason: "bad-proof" },
    { name: "a proof that is the token itself, not its CID", hex: await resign({ ...base, proof: [story.writers.bob.proof[0]!] }), reason: "malformed" },
    { name: "a proof that is not a token CID", hex: await resign({ ...base, proof: ["bafyreiaaaa"] }), reason: "bad-proof" },
    { name: "a proof naming a token that is in no document (held until it arrives)", hex: hexOf(stranger), reason: "missing-proof" },
    ...(await networkCases(story)),
  ];
  const statelessTokens = tokensOf([escalated]);

  const { cases: set, tokens: setTokens } = await setCases(story, jobId);
  const schema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "EdgePool ledger entry bodies, by kind (generated from src/core/ledger/kinds.ts)",
    description: "Bytes are CBOR byte strings (major type 2); every integer is at most 2^53-1; no field may be absent unless marked optional, and no other field may be present.",
    kinds: Object.fromEntries(Object.entries(KIND_RULES).map(([kind, rule]) => [kind, { requires: rule.requires, body: toJsonSchema(rule.schema) }])),
  };
  return { valid, stateless, statelessTokens, set, setTokens, schema };
}

/** pool.network entries by the root that are refused on their own: ICE URLs other than stun:/turn:/turns: host[:port]. */
async function networkCases(story: Awaited<ReturnType<typeof writeStory>>): Promise<StatelessCase[]> {
  const alices = new EntryWriter(alice, story.pool, 90);
  const network = async (ice: unknown, relayOnly: unknown = 0) => hexOf(await alices.write("pool.network", { ice, relayOnly } as never, T0 + 50_000));
  return [
    { name: "pool.network with an http URL as ICE server", hex: await network(["http://stun.example.org/"]), reason: "bad-body" },
    { name: "pool.network with credentials inside a TURN URL", hex: await network(["turn:user:secret@turn.example.org:3478"]), reason: "bad-body" },
    { name: "pool.network with a port above 65535", hex: await network(["stun:stun.example.org:65536"]), reason: "bad-body" },
    { name: "pool.network with a transport on a STUN URL", hex: await network(["stun:stun.example.org?transport=tcp"]), reason: "bad-body" },
    { name: "pool.network with a host that is not a DNS name", hex: await network(["turn:bad_host!.example.org"]), reason: "bad-body" },
    { name: "pool.network with the same URL twice", hex: await network(["stun:a.example.org", "stun:a.example.org"]), reason: "bad-body" },
    { name: "pool.network with relayOnly 2", hex: await network([], 2), reason: "bad-body" },
  ];
}

/** Bob (who holds member/invite but not pool/admin) delegates pool/admin to mallory. */
async function escalatedJoin(story: Awaited<ReturnType<typeof writeStory>>, nonce = ""): Promise<SignedEntry> {
  const bobs = story.writers.bob;
  const proof = await delegate({ issuer: bob.signingKey, audience: mallory.did, pool: story.pool, abilities: ["pool/admin"], expiration: T0 / 1000 + 86_400, proof: bobs.proof[0], nonce: sha256(utf8(nonce)).subarray(0, 12) });
  return new EntryWriter(mallory, story.pool, 0, [proof]).write("member.join", { member: mallory.did, abilities: ["pool/admin"], invite: story.entries[1]!.entry.body.invite }, T0 + 50_000);
}

async function setCases(story: Awaited<ReturnType<typeof writeStory>>, jobId: string): Promise<{ cases: SetCase[]; tokens: Record<string, string> }> {
  const { pool } = story;
  const after = T0 + 50_000;
  const davesReveal = story.entries.find((s) => s.entry.author === dave.did && s.entry.kind === "result.reveal")!;
  const proofOf = (who: "bob" | "carol" | "dave") => story.writers[who].proof;
  // The same author and sequence as dave's reveal, with another body.
  const forked = await new EntryWriter(dave, pool, davesReveal.entry.seq - 1, proofOf("dave")).write("job.claim", { job: jobId, replica: 2 }, davesReveal.entry.time);
  const intruder = await new EntryWriter(mallory, pool).write("job.claim", { job: jobId, replica: 0 }, after);
  const joinForOther = await new EntryWriter(bob, pool, 100, proofOf("bob")).write("member.join", { member: mallory.did, abilities: ["job/run"], invite: story.entries[1]!.entry.body.invite }, after);
  const backdated = await new EntryWriter(bob, pool, 50, proofOf("bob")).write("job.claim", { job: jobId, replica: 0 }, T0 + 5);
  const lateClaim = await new EntryWriter(carol, pool, 60, proofOf("carol")).write("job.claim", { job: jobId, replica: 0 }, after);
  const noJob = await new EntryWriter(carol, pool, 70, proofOf("carol")).write("job.claim", { job: entryIdOf(utf8("no such job")), replica: 0 }, after);
  const cp = story.entries.at(-1)!;
  const lying = await new EntryWriter(alice, pool, 80).write("checkpoint", { ...cp.entry.body, through: T0 + 36_000, count: 3 }, T0 + 41_000);
  const bobW = new EntryWriter(bob, pool, 90, proofOf("bob"));
  const carolW = new EntryWriter(carol, pool, 90, proofOf("carol"));
  const job = await bobW.write("job.submit", { task: "t", input: new Uint8Array(), replicas: 1, reward: 5, deadline: after + 3_600_000 }, after);
  const output = sha256(utf8("out"));
  const claim = await carolW.write("job.claim", { job: job.id, replica: 0 }, after + 1);
  const commit = await carolW.write("result.commit", { job: job.id, replica: 0, commitment: resultCommitment(new Uint8Array(16).fill(1), output) }, after + 2);
  const badReveal = await carolW.write("result.reveal", { job: job.id, salt: new Uint8Array(16).fill(2), output }, after + 3);
  const one = (name: string, s: SignedEntry, reason: string): SetCase => ({ name, add: [hexOf(s)], reasons: { [s.id]: reason } });
  const late = await finalityCases(story);
  const cases = [
    {
      name: "two entries with one author and sequence: both refused, and the checkpoint that counted one of them no longer matches",
      add: [hexOf(forked)],
      reasons: { [forked.id]: "equivocation", [davesReveal.id]: "equivocation", [cp.id]: "checkpoint-mismatch" },
    },
    one("an author who is not a member", intruder, "not-authorised"),
    one("a member writing the join of someone else", joinForOther, "not-authorised"),
    one("a later sequence number with an earlier time", backdated, "time-regression"),
    one("a claim on a job that is done", lateClaim, "conflict"),
    one("a claim on a job that does not exist", noJob, "unknown-reference"),
    one("a checkpoint whose count and root do not match the fold", lying, "checkpoint-mismatch"),
    { name: "a reveal whose salt does not open the commitment", add: [job, claim, commit, badReveal].map(hexOf), reasons: { [badReveal.id]: "bad-reveal" } },
    one("pool.network by a member without pool/admin", await bobW.write("pool.network", { ice: ["stun:stun.example.org"], relayOnly: 1 }, after + 4), "not-authorised"),
    one("an entry dated at or before the checkpoint's through with a sequence number its frontier does not cover (written after it)", late.claim, "before-checkpoint"),
    one("a revocation whose `from` is at or before the checkpoint's through, written after it", late.revokeBefore, "before-checkpoint"),
    { name: "a revocation whose `from` is after the checkpoint's through (valid: nothing refused)", add: [hexOf(late.revokeAfter)], reasons: {} },
    one("a first join dated before its invite's deadline and the checkpoint's through, written after both", late.join, "before-checkpoint"),
  ];
  return { cases, tokens: tokensOf([late.join]) };
}

/** Entries written after the story's checkpoint (through T0 + 35 s), some dated back into its window. */
export async function finalityCases(story: Awaited<ReturnType<typeof writeStory>>) {
  const { pool } = story;
  const cp = story.entries.at(-1)!;
  const through = cp.entry.body.through as number;
  const carols = story.writers.carol;
  const claim = await new EntryWriter(carol, pool, carols.seq, carols.proof).write("job.claim", { job: story.jobId, replica: 1 }, through - 1_000);
  const davesToken = story.writers.dave.proof[0]!;
  const daveSeq = Math.max(...story.entries.filter((s) => s.entry.author === dave.did).map((s) => s.entry.seq));
  const revoke = (from: number) =>
    new EntryWriter(alice, pool, cp.entry.seq).write("ucan.revoke", { target: tokenHash(davesToken), token: davesToken, honoured: { [dave.did]: daveSeq }, from }, T0 + 50_000);
  // An invite from the root whose deadline passed before the checkpoint; mallory dates the join before it.
  const key = seedSigningKey(sha256(utf8("vector invite key")));
  const expiration = T0 / 1000 + 86_400;
  const nonce = (n: string) => sha256(utf8(n)).subarray(0, 12);
  const invite = await delegate({ issuer: alice.signingKey, audience: didFromPublicKey(key.publicKey), pool, abilities: ["job/run"], expiration, invite: { uses: 1, joinBefore: (through - 1_000) / 1000 }, nonce: nonce("invite") });
  const proof = await delegate({ issuer: key, audience: mallory.did, pool, abilities: ["job/run"], expiration, proof: invite, nonce: nonce("join") });
  const join = await new EntryWriter(mallory, pool, 0, [proof]).write("member.join", { member: mallory.did, abilities: ["job/run"], invite: tokenHash(invite) }, through - 1_000);
  return { claim, revokeBefore: await revoke(T0 + 20_000), revokeAfter: await revoke(through + 1), join };
}
