/**
 * Open-pool vectors (ledger/README.md 6.3): an open pool where strangers join with a stamp and a
 * Privacy Pass token and a fresh ephemeral key submits a job anonymously, paid by the fund; then
 * entries the fold refuses beside that story, with their reason and the rule's own refusal
 * (`details`, the text before the colon of a `not-authorised` message).
 *
 * Tokens are made here without the blind protocol, which is randomised: the issuer's test key
 * (open-pool-issuer.pem, a key for these vectors only) signs each token input directly with
 * RSASSA-PSS and a salt derived from the token's name, so every byte is reproducible. A verifier
 * cannot tell, and need not: a type-2 token is any valid RSASSA-PSS signature over its input.
 */
import { constants, createPrivateKey, createPublicKey, privateDecrypt } from "node:crypto";
import { readFileSync } from "node:fs";
import { sha384 } from "@noble/hashes/sha2.js";
import { solveJoinStamp } from "../../src/core/capability/join-stamp.ts";
import { joinTokenChallenge, type TokenSubject } from "../../src/core/capability/join-token.ts";
import { derivePoolId } from "../../src/core/capability/pool.ts";
import { bytesToHex, concatBytes, mgf1Sha384, parseRsaSpki, seedSigningKey, sha256, utf8, verifyRsaPssSha384 } from "../../src/core/crypto/index.ts";
import { didFromPublicKey } from "../../src/core/identity/did-key.ts";
import { foldEntries } from "../../src/core/ledger/fold.ts";
import { encodeState, stateHash } from "../../src/core/ledger/state.ts";
import type { SignedEntry } from "../../src/core/ledger/types.ts";
import { UcanAuthoriser } from "../../src/core/ledger/ucan-authoriser.ts";
import { DEFAULT_SKEW_MS } from "../../src/core/ledger/validate.ts";
import { EPOCH_MS } from "../../src/core/ledger/verdict.ts";
import { EntryWriter, resultCommitment, type Author } from "../../src/core/ledger/writer.ts";
import { publicVerif } from "@cloudflare/privacypass-ts";
import { alice, bob, carol, dave } from "../../tests/fixtures/identities.ts";
import { SETTINGS, T0 } from "./story.ts";

const ISSUER_URL = "https://tokens.example.org";
const STAMP_BITS = 4;
const MAX_REWARD = 50;
const EPOCH = Math.floor(T0 / EPOCH_MS);

const issuerPem = readFileSync(new URL("open-pool-issuer.pem", import.meta.url), "utf8");
const issuerKey = createPrivateKey(issuerPem);
/** The issuer's key as RFC 9578 publishes it (SubjectPublicKeyInfo with the RSASSA-PSS identifier). */
const issuerSpki = publicVerif.convertEncToRSASSAPSS(new Uint8Array(createPublicKey(issuerKey).export({ type: "spki", format: "der" })));

/** EMSA-PSS-ENCODE (RFC 8017, 9.1.1) with SHA-384, MGF1-SHA-384 and a 48-byte salt, for a 2048-bit modulus. */
function pssEncode(message: Uint8Array, salt: Uint8Array): Uint8Array {
  const emLength = 256;
  const h = sha384(concatBytes(new Uint8Array(8), sha384(message), salt));
  const db = new Uint8Array(emLength - h.length - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const mask = mgf1Sha384(h, db.length);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0x7f; // emBits = 2047
  return concatBytes(db, h, new Uint8Array([0xbc]));
}

/** A type-2 token for `subject` at the vectors' epoch, its nonce and salt derived from `name`; `keyId` and `sign` vary for refused cases. */
function mintToken(name: string, subject: TokenSubject, options: { keyId?: Uint8Array; sign?: boolean } = {}): Uint8Array {
  const input = concatBytes(new Uint8Array([0, 2]), sha256(utf8(`vector token nonce ${name}`)), sha256(joinTokenChallenge(new URL(ISSUER_URL).host, subject, EPOCH)), options.keyId ?? sha256(issuerSpki));
  if (options.sign === false) return concatBytes(input, new Uint8Array(256));
  const signature = new Uint8Array(privateDecrypt({ key: issuerKey, padding: constants.RSA_NO_PADDING }, pssEncode(input, sha384(utf8(`vector token salt ${name}`)))));
  const parsed = parseRsaSpki(issuerSpki);
  if (!parsed.ok || !verifyRsaPssSha384(parsed.key, input, signature)) throw new Error(`vector token ${name} does not verify`);
  return concatBytes(input, signature);
}

/** A deterministic fresh key for one anonymous submission. */
function ephemeral(name: string): Author {
  const signingKey = seedSigningKey(sha256(utf8(`vector ephemeral key ${name}`)));
  return { did: didFromPublicKey(signingKey.publicKey), signingKey };
}

const hexOf = (s: SignedEntry): string => bytesToHex(s.bytes);

/**
 * The admin's job run by three strangers: the first two reveals settle it and are paid; the third
 * agrees after the verdict. Its commit came before any output was shown, so the fold records a
 * work edge for it as for the other two (`pool.open.work`): admin -> each worker, 1.
 */
async function lateThirdReveal(admin: EntryWriter, workers: readonly EntryWriter[], salt: Uint8Array, output: Uint8Array): Promise<SignedEntry[]> {
  const job = await admin.write("job.submit", { task: "mandelbrot", input: utf8("tile 2 1"), replicas: 3, reward: 30, deadline: T0 + 3_600_000 }, T0 + 14_000);
  const steps: SignedEntry[] = [job];
  for (const [replica, worker] of workers.entries()) steps.push(await worker.write("job.claim", { job: job.id, replica }, T0 + 15_000));
  for (const [replica, worker] of workers.entries()) steps.push(await worker.write("result.commit", { job: job.id, replica, commitment: resultCommitment(salt, output) }, T0 + 16_000));
  for (const [i, worker] of workers.entries()) steps.push(await worker.write("result.reveal", { job: job.id, salt, output }, T0 + 17_000 + i * 1_000));
  return steps;
}

export async function buildOpenPoolVectors() {
  const nonce = new Uint8Array(16).fill(8);
  const pool = derivePoolId(alice.did, nonce);
  const alices = new EntryWriter(alice, pool);
  const bobs = new EntryWriter(bob, pool);
  const carols = new EntryWriter(carol, pool);
  const daves = new EntryWriter(dave, pool);
  const stamp = await solveJoinStamp({ pool, did: carol.did }, STAMP_BITS, EPOCH, { start: new Uint8Array(8) });
  if (!stamp.ok) throw new Error(stamp.message);
  const daveStamp = await solveJoinStamp({ pool, did: dave.did }, STAMP_BITS, EPOCH, { start: new Uint8Array(8) });
  if (!daveStamp.ok) throw new Error(daveStamp.message);
  const job = { task: "mandelbrot", input: utf8("tile 1 1"), replicas: 1, reward: 40, deadline: T0 + 3_600_000 };
  const submitter = ephemeral("first");
  const firstToken = mintToken("first", { pool, did: submitter.did, purpose: "submit" });
  const submit = await new EntryWriter(submitter, pool).write("job.submit", { ...job, token: firstToken }, T0 + 10_000);
  const salt = sha256(utf8("open vector salt")).subarray(0, 16);
  const output = sha256(utf8("open vector output"));
  const entries = [
    await alices.write("pool.create", { nonce, settings: SETTINGS, open: { stampBits: STAMP_BITS } }, T0),
    await alices.write("pool.issuer", { url: ISSUER_URL, key: issuerSpki }, T0 + 1),
    await alices.write("pool.anonymous", { enabled: 1, maxReward: MAX_REWARD }, T0 + 2),
    await bobs.write("member.join", { member: bob.did, abilities: ["job/run", "job/submit"], token: mintToken("bob's join", { pool, did: bob.did }) }, T0 + 1_000),
    await carols.write("member.join", { member: carol.did, abilities: ["job/run"], stamp: stamp.stamp }, T0 + 2_000),
    submit,
    await bobs.write("job.claim", { job: submit.id, replica: 0 }, T0 + 11_000),
    await bobs.write("result.commit", { job: submit.id, replica: 0, commitment: resultCommitment(salt, output) }, T0 + 12_000),
    await bobs.write("result.reveal", { job: submit.id, salt, output }, T0 + 13_000),
    await daves.write("member.join", { member: dave.did, abilities: ["job/run"], stamp: daveStamp.stamp }, T0 + 3_000),
    ...(await lateThirdReveal(alices, [bobs, carols, daves], salt, output)),
  ];
  const fold = foldEntries(entries, new UcanAuthoriser());
  if (fold.rejected.size > 0) throw new Error(`the open-pool story has refused entries: ${[...fold.rejected.values()].map((r) => r.message).join("; ")}`);

  const after = T0 + 20_000;
  const anonymous = (name: string, token: Uint8Array, body: Record<string, unknown> = {}, who = ephemeral(name)) => new EntryWriter(who, pool).write("job.submit", { ...job, deadline: after + 3_600_000, ...body, token }, after);
  const submitToken = (name: string, subject: Partial<TokenSubject> = {}) => mintToken(name, { pool, did: ephemeral(name).did, purpose: "submit", ...subject });
  const tampered = submitToken("tampered");
  tampered[200]! ^= 1;
  const refused = async (name: string, entry: Promise<SignedEntry>, detail: string) => {
    const signed = await entry;
    return { name, add: [hexOf(signed)], reasons: { [signed.id]: "not-authorised" }, details: { [signed.id]: detail } };
  };
  const disable = await alices.write("pool.anonymous", { enabled: 0, maxReward: 0 }, after);
  const afterDisable = await anonymous("after disable", submitToken("after disable"), { deadline: after + 7_200_000 }, ephemeral("after disable"));
  const cases = [
    await refused("the same token spent again by its key (a second entry)", new EntryWriter(submitter, pool, 1).write("job.submit", { ...job, deadline: after + 3_600_000, token: firstToken }, after), "token-spent"),
    await refused("a submit token spent by another key", anonymous("thief", firstToken), "token-wrong-binding"),
    await refused("a token bound to another pool", anonymous("other pool", submitToken("other pool", { pool: derivePoolId(alice.did, new Uint8Array(16).fill(9)) })), "token-wrong-binding"),
    await refused("a join token spent on a submission", anonymous("join purpose", submitToken("join purpose", { purpose: "join" })), "token-wrong-binding"),
    await refused("a token from an issuer key the pool does not list", anonymous("unlisted", mintToken("unlisted", { pool, did: ephemeral("unlisted").did, purpose: "submit" }, { keyId: sha256(utf8("another issuer key")), sign: false })), "unlisted-issuer"),
    await refused("a token whose signature does not verify", anonymous("tampered", tampered), "bad-token-signature"),
    await refused("a reward above the pool's maxReward", anonymous("greedy", submitToken("greedy"), { reward: MAX_REWARD + 1 }), "reward-too-high"),
    await refused("a member's key instead of a fresh one", new EntryWriter(bob, pool, entries.filter((e) => e.entry.author === bob.did).length).write("job.submit", { ...job, deadline: after + 3_600_000, token: mintToken("bob's submit", { pool, did: bob.did, purpose: "submit" }) }, after), "not-ephemeral"),
    { name: "a submission after an admin disabled anonymous submission", add: [hexOf(disable), hexOf(afterDisable)], reasons: { [afterDisable.id]: "not-authorised" }, details: { [afterDisable.id]: "anonymous-not-accepted" } },
  ];
  const stateless = [
    { name: "an anonymous submission with a spot check", hex: hexOf(await anonymous("spot", submitToken("spot"), { replicas: 1, spot: 100 })), reason: "bad-body" },
    { name: "pool.anonymous with enabled 2", hex: hexOf(await new EntryWriter(alice, pool, 10).write("pool.anonymous", { enabled: 2, maxReward: 1 }, after)), reason: "bad-body" },
  ];
  return {
    description:
      "An open pool (ledger/README.md 6.3): entries valid together, folding to `stateHash` in any order (strangers joined with a stamp and a token, an anonymous job paid by the fund, an admin's job whose third worker agrees after the verdict and still draws its work edge); `issuer` is the listed issuer (its test key signs the tokens); `stateless` entries are refused alone; each of `cases` adds entries to `entries`, and the fold refuses exactly those in `reasons`, with the authoriser's own refusal in `details`.",
    pool,
    now: T0 + 100_000,
    skewMs: DEFAULT_SKEW_MS,
    issuer: { url: ISSUER_URL, key: bytesToHex(issuerSpki) },
    entries: entries.map((s) => ({ id: s.id, kind: s.entry.kind, author: s.entry.author, seq: s.entry.seq, hex: hexOf(s) })),
    stateHash: stateHash(fold.state),
    stateHex: bytesToHex(encodeState(fold.state)),
    stateless,
    cases,
  };
}

export type OpenPoolVectors = Awaited<ReturnType<typeof buildOpenPoolVectors>>;
