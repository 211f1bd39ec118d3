/**
 * Open-pool benchmark (issue 12). Each figure beside a baseline measured in this run:
 * - fold cost of a stranger's join paid with a stamp and with a token (target: both under 1 ms),
 *   against the fold cost of an invite join (a UCAN chain, proof already checked) in the same pool;
 *   a stamp join into a pool of 10,000 members against one into the small pool (the join cap's
 *   member count is kept in the state, not counted per join); an anonymous submission (a token
 *   from a fresh key) against a stamp join;
 * - the token's RSA-PSS check in the fold (our synchronous BigInt verify) against node:crypto's
 *   RSA-PSS verify, the fastest verify API here;
 * - stamp solving: hashes per second in Node and in Chromium, against node:crypto's SHA-256 with
 *   a copied prefix state; the expected solve time at the default difficulty follows;
 * - issuer throughput over HTTP (node:crypto RSA with CRT) against privacypass-ts's own issuer.
 */
import { constants, createPublicKey, verify as nodeVerify, createHash } from "node:crypto";
import { loadavg } from "node:os";
import { publicVerif, TokenChallenge } from "@cloudflare/privacypass-ts";
import { DEFAULT_STAMP_BITS, solveJoinStamp } from "../src/core/capability/join-stamp.ts";
import { joinTokenChallenge, joinTokenIssuer } from "../src/core/capability/join-token.ts";
import { derivePoolId } from "../src/core/capability/pool.ts";
import { blindTokenRequest } from "../src/core/crypto/blind-rsa-client.ts";
import { blindSign, generateIssuerKey, issuerKeyFromPem } from "../src/core/crypto/blind-rsa-issuer-node.ts";
import { seedSigningKey, verifyRsaPssSha384 } from "../src/core/crypto/index.ts";
import { didFromPublicKey } from "../src/core/identity/did-key.ts";
import { Folder, foldEntries } from "../src/core/ledger/fold.ts";
import { createPoolWithMembers } from "../src/core/ledger/pool-members.ts";
import type { SignedEntry } from "../src/core/ledger/types.ts";
import type { Did } from "../src/core/identity/did-key.ts";
import type { LedgerState } from "../src/core/ledger/state.ts";
import { UcanAuthoriser } from "../src/core/ledger/ucan-authoriser.ts";
import { nodeUcanAuthoriser } from "../src/core/ledger/ucan-authoriser-node.ts";
import { EPOCH_MS } from "../src/core/ledger/verdict.ts";
import { EntryWriter } from "../src/core/ledger/writer.ts";
import { startTokenIssuer } from "../src/core/net/token-issuer-node.ts";
import { launchChromium } from "../tests/e2e/chromium.ts";
import { openModulePage } from "../tests/e2e/browser-modules.ts";
import { alice } from "../tests/fixtures/identities.ts";
import { seededRandom } from "../tests/fixtures/seeded-random.ts";

const JOINS = 100;
const T0 = 1_767_225_600_000 + 3_600_000;
const EPOCH = Math.floor(T0 / EPOCH_MS);
const STAMP_BITS = 8;
const settings = { name: "bench", replication: 3, rewardPerJob: 10, vestingSeconds: 86_400, leaseSeconds: 300 };
const rows: string[][] = [];
const row = (...cells: string[]) => rows.push(cells);
const ms = (value: number) => `${value.toFixed(3)} ms`;

const identities = Array.from({ length: JOINS }, (_, i) => {
  const signingKey = seedSigningKey(new Uint8Array(32).map((_, j) => (j === 0 ? 0xb0 : j === 1 ? i : 5)));
  return { did: didFromPublicKey(signingKey.publicKey), signingKey };
});

/** The same pool twice: once with invite joins (the baseline), once open to strangers. */
const invited = await createPoolWithMembers({
  root: alice,
  settings,
  nonce: new Uint8Array(16).fill(4),
  time: T0,
  members: identities.map((identity, i) => ({ identity, abilities: ["job/run" as const], time: T0 + 10 + i })),
  random: seededRandom("open-pool bench"),
});
const nonce = new Uint8Array(16).fill(5);
const pool = derivePoolId(alice.did, nonce);
const issuerKey = issuerKeyFromPem(generateIssuerKey());
if (!issuerKey.ok) throw new Error(issuerKey.message);
const ISSUER = "https://tokens.example.org";
const root = new EntryWriter(alice, pool);
const genesis = [await root.write("pool.create", { nonce, settings, open: { stampBits: STAMP_BITS } }, T0), await root.write("pool.issuer", { url: ISSUER, key: issuerKey.key.spki }, T0 + 1)];
const genesisAnonymous = [...genesis, await root.write("pool.anonymous", { enabled: 1, maxReward: 10 }, T0 + 2)];

const stampJoins: SignedEntry[] = [];
const tokenJoins: SignedEntry[] = [];
const anonymousSubmits: SignedEntry[] = [];
for (const [i, who] of identities.entries()) {
  const solved = await solveJoinStamp({ pool, did: who.did }, STAMP_BITS, EPOCH);
  if (!solved.ok) throw new Error(solved.message);
  stampJoins.push(await new EntryWriter(who, pool).write("member.join", { member: who.did, abilities: ["job/run"], stamp: solved.stamp }, T0 + 10 + i));
  const pending = await blindTokenRequest(joinTokenChallenge(new URL(ISSUER).host, { pool, did: who.did }, EPOCH), issuerKey.key.spki);
  const signed = blindSign(issuerKey.key, pending.request);
  if (!signed.ok) throw new Error(signed.message);
  tokenJoins.push(await new EntryWriter(who, pool).write("member.join", { member: who.did, abilities: ["job/run"], token: await pending.finalize(signed.response) }, T0 + 10 + i));
  // The same identities as fresh ephemeral keys submitting anonymously (a pool they did not join).
  const submitting = await blindTokenRequest(joinTokenChallenge(new URL(ISSUER).host, { pool, did: who.did, purpose: "submit" }, EPOCH), issuerKey.key.spki);
  const submitSigned = blindSign(issuerKey.key, submitting.request);
  if (!submitSigned.ok) throw new Error(submitSigned.message);
  const job = { task: "ab".repeat(32), input: new Uint8Array(8), replicas: 3, reward: 10, deadline: T0 + 3_600_000 };
  anonymousSubmits.push(await new EntryWriter(who, pool).write("job.submit", { ...job, token: await submitting.finalize(submitSigned.response) }, T0 + 10 + i));
}

const time = (run: () => void, n: number) => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) run();
  return (performance.now() - t0) / n;
};

/** Per-join fold cost: fold genesis + joins, minus genesis alone; best of 5 (proof checks are not part of the fold). */
function perJoin(base: readonly SignedEntry[], joins: readonly SignedEntry[], authorise: () => UcanAuthoriser = () => new UcanAuthoriser()): number {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const authoriser = authorise();
    const t0 = performance.now();
    const folded = foldEntries([...base, ...joins], authoriser);
    const t1 = performance.now();
    foldEntries(base, new UcanAuthoriser());
    const t2 = performance.now();
    if (folded.rejected.size > 0) throw new Error(`bench joins refused: ${[...folded.rejected.values()][0]!.message}`);
    best = Math.min(best, (t1 - t0 - (t2 - t1)) / joins.length);
  }
  return best;
}

const inviteGenesis = invited.entries.filter((s) => s.entry.kind !== "member.join");
const inviteJoins = invited.entries.filter((s) => s.entry.kind === "member.join");
// Invite joins' proofs are checked before the fold; check them once so the fold sees warm caches, as a node's does.
const warm = new UcanAuthoriser();
for (const join of inviteJoins) await warm.checkProof(join.entry);
const baseline = perJoin(inviteGenesis, inviteJoins);
const stampCost = perJoin(genesis, stampJoins);
const tokenCost = perJoin(genesis, tokenJoins);
const tokenCostNode = perJoin(genesis, tokenJoins, nodeUcanAuthoriser);
row("fold: invite join (UCAN chain, baseline)", ms(baseline), "1.00x");
row("fold: stamp join", ms(stampCost), `${(stampCost / baseline).toFixed(2)}x`);
row("fold: token join, portable verify (the browser's)", ms(tokenCost), `${(tokenCost / baseline).toFixed(2)}x`);
row("fold: token join, node:crypto verify (Node's authoriser)", ms(tokenCostNode), `${(tokenCostNode / baseline).toFixed(2)}x`);

// Folded onto a state (as a checkpoint-started node does), timing only the entries: the Folder
// copies its start state when made, outside the timing. Per entry, best of 5.
function perEntryOnto(start: LedgerState, entries: readonly SignedEntry[], authorise: () => UcanAuthoriser = () => new UcanAuthoriser()): number {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const folder = new Folder(authorise(), start);
    const t0 = performance.now();
    folder.add(entries);
    best = Math.min(best, (performance.now() - t0) / entries.length);
    if (folder.result().rejected.size > 0) throw new Error(`bench entries refused: ${[...folder.result().rejected.values()][0]!.message}`);
  }
  return best;
}
// The same stamp joins into the small pool and into one that already holds 10,000 strangers.
const CROWD = 10_000;
const small = foldEntries(genesis, new UcanAuthoriser()).state;
const crowded = foldEntries(genesis, new UcanAuthoriser()).state;
for (let i = 0; i < CROWD; i++) crowded.members[`did:key:z6MkBenchCrowd${i}` as Did] = { abilities: ["job/run"], by: `did:key:z6MkBenchCrowd${i}` as Did, since: T0, admission: "stamp" };
crowded.pool!.open!.members += CROWD;
perEntryOnto(small, stampJoins); // warm-up: the first Folder made from a state pays the JIT
const smallCost = perEntryOnto(small, stampJoins);
const crowdedCost = perEntryOnto(crowded, stampJoins);
const scan = time(() => Object.values(crowded.members).filter((m) => m.revoked === undefined).length, 20);
const anonymousCost = perEntryOnto(foldEntries(genesisAnonymous, new UcanAuthoriser()).state, anonymousSubmits, nodeUcanAuthoriser);
row("fold onto a state: stamp join, pool of 1 member (baseline)", ms(smallCost), "1.00x");
row(`fold onto a state: stamp join, pool of ${CROWD.toLocaleString("en")} members`, ms(crowdedCost), `${(crowdedCost / smallCost).toFixed(2)}x`);
row(`  a scan of ${CROWD.toLocaleString("en")} members (what the join cap cost per join before session 4)`, ms(scan), `${(scan / smallCost).toFixed(1)}x`);
row("fold onto a state: anonymous job submission (token, node:crypto verify)", ms(anonymousCost), `${(anonymousCost / smallCost).toFixed(2)}x`);

// The token check alone: our verify against node:crypto's RSA-PSS verify on the same tokens.
const issuer = joinTokenIssuer(new URL(ISSUER).host, issuerKey.key.spki);
if (!issuer.ok) throw new Error(issuer.message);
const publicKey = createPublicKey(issuerKey.key.privateKey);
const tokens = tokenJoins.map((s) => s.entry.body.token as Uint8Array);
const ours = time(() => tokens.forEach((t) => verifyRsaPssSha384(issuer.issuer.key, t.subarray(0, 98), t.subarray(98))), 5) / tokens.length;
const native = time(() => tokens.forEach((t) => nodeVerify("sha384", t.subarray(0, 98), { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, t.subarray(98))), 5) / tokens.length;
row("token RSA-PSS check: node:crypto verify (baseline)", ms(native), "1.00x");
row("token RSA-PSS check: fold's BigInt verify", ms(ours), `${(ours / native).toFixed(2)}x`);

// Stamp solving rate: our solver over 2^17 tries, against node:crypto hashing with a copied prefix.
const TRIES = 1 << 17;
const solveRate = async (): Promise<number> => {
  const t0 = performance.now();
  // 40 bits is never reached: the solver runs exactly the sliceSize tries before checking `signal`.
  const controller = new AbortController();
  await solveJoinStamp({ pool, did: alice.did }, 40, EPOCH, { sliceSize: TRIES, signal: controller.signal, onProgress: () => controller.abort() });
  return TRIES / ((performance.now() - t0) / 1000);
};
const nodeRate = (() => {
  const prefix = createHash("sha256").update("edgepool/join/v1 prefix of similar length ...................................");
  const nonceBytes = new Uint8Array(8);
  const t0 = performance.now();
  for (let i = 0; i < TRIES; i++) {
    new DataView(nonceBytes.buffer).setUint32(4, i);
    prefix.copy().update(nonceBytes).digest();
  }
  return TRIES / ((performance.now() - t0) / 1000);
})();
const nodeSolve = await solveRate();
const expected = 2 ** DEFAULT_STAMP_BITS;
row("stamp hashing: node:crypto, copied prefix (baseline)", `${Math.round(nodeRate).toLocaleString("en")} /s`, "1.00x");
row(`stamp solving in Node (expected ${DEFAULT_STAMP_BITS}-bit solve: ${(expected / nodeSolve).toFixed(1)} s)`, `${Math.round(nodeSolve).toLocaleString("en")} /s`, `${(nodeSolve / nodeRate).toFixed(2)}x`);

const browser = await launchChromium();
try {
  const page = await openModulePage(browser, { stamp: "src/core/capability/join-stamp.ts" });
  // A string, not a function: tsx would wrap a function's inner names in a helper the page lacks.
  const chromiumRate = (await page.evaluate(`(async () => {
    const { solveJoinStamp } = window.modules.stamp;
    const controller = new AbortController();
    const t0 = performance.now();
    await solveJoinStamp({ pool: ${JSON.stringify(pool)}, did: ${JSON.stringify(alice.did)} }, 40, 1, { sliceSize: ${TRIES}, signal: controller.signal, onProgress: () => controller.abort() });
    return ${TRIES} / ((performance.now() - t0) / 1000);
  })()`)) as number;
  row(`stamp solving in Chromium (expected ${DEFAULT_STAMP_BITS}-bit solve: ${(expected / chromiumRate).toFixed(1)} s)`, `${Math.round(chromiumRate).toLocaleString("en")} /s`, `${(chromiumRate / nodeRate).toFixed(2)}x`);
} finally {
  await browser.close();
}

// Issuer throughput over HTTP on loopback (requests blinded beforehand: the client's work is not the
// issuer's), against the library's own issuer signing the same requests in-process.
const server = await startTokenIssuer({ host: "127.0.0.1", port: 0, key: issuerKey.key, tokensPerWindow: 1_000_000 });
const ISSUED = 60;
const challenges = identities.slice(0, ISSUED).map((who) => joinTokenChallenge(new URL(server.url).host, { pool, did: who.did }, EPOCH));
const blinded = await Promise.all(challenges.map((c) => blindTokenRequest(c, issuerKey.key.spki)));
let t0 = performance.now();
await Promise.all(
  [0, 1, 2, 3].map(async (lane) => {
    for (let i = lane; i < ISSUED; i += 4) {
      const response = await fetch(`${server.url}/token-request`, { method: "POST", headers: { "content-type": "application/private-token-request" }, body: Uint8Array.from(blinded[i]!.request) });
      if (response.status !== 200) throw new Error(`issuer answered ${response.status}`);
      await response.arrayBuffer();
    }
  }),
);
const httpRate = ISSUED / ((performance.now() - t0) / 1000);
await server.close();
const library = new publicVerif.Issuer(publicVerif.BlindRSAMode.PSS, "bench", ...(await webcryptoPair()));
const LIBRARY_ISSUED = 3;
const requests = await Promise.all(challenges.slice(0, LIBRARY_ISSUED).map((c) => new publicVerif.Client(publicVerif.BlindRSAMode.PSS).createTokenRequest(TokenChallenge.deserialize(c), issuerKey.key.spki)));
t0 = performance.now();
for (const request of requests) await library.issue(request);
const libraryRate = LIBRARY_ISSUED / ((performance.now() - t0) / 1000);
row("issuer: privacypass-ts Issuer.issue, in-process signing only (baseline)", `${libraryRate.toFixed(1)} tokens/s`, "1.00x");
row("issuer: edgepool issuer over HTTP, 4 clients (request, attest, sign, check, respond)", `${httpRate.toFixed(1)} tokens/s`, `${(httpRate / libraryRate).toFixed(1)}x`);

/** The issuer key as a WebCrypto RSA-PSS pair, for the library's issuer. */
async function webcryptoPair(): Promise<[CryptoKey, CryptoKey]> {
  const pkcs8 = issuerKey.ok ? issuerKey.key.privateKey.export({ type: "pkcs8", format: "der" }) : new Uint8Array();
  const algorithm = { name: "RSA-PSS", hash: "SHA-384" };
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, algorithm, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  const publicKey = await crypto.subtle.importKey("jwk", { kty: jwk.kty!, n: jwk.n!, e: jwk.e!, alg: "PS384", ext: true }, algorithm, true, ["verify"]);
  return [privateKey, publicKey];
}

console.log(`Open pools: ${JOINS} joins per fold, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}\n`);
console.log("| measure | figure | ratio to its baseline |");
console.log("|---|---|---|");
for (const cells of rows) console.log(`| ${cells.join(" | ")} |`);
