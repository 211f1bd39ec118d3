/**
 * Capability benchmark: validating a 3-deep delegation chain (root -> admin -> member -> worker),
 * cold (nothing cached) and cached, against stock @ucans/ucans 0.12 `verify` (pure-JS Ed25519)
 * and @ucans/core 0.12 `verify` with our did:key plugin, all in this run on these chains. The
 * floor is the rate of the chains' own signatures alone through the same verify API, 16 in flight.
 * Under a shared machine's load each figure is the best of ROUNDS rounds, interleaved, so a burst
 * of load hurts every row alike rather than one.
 * Targets (issue 4): >= 2,000 cold chains/s; a cached check >= 100x faster than a cold one.
 */
import { availableParallelism, loadavg } from "node:os";
import * as stock from "@ucans/ucans";
import { decodeToken, type UcanToken } from "../src/core/capability/token.ts";
import { utf8, verify, type SignatureVerifier } from "../src/core/crypto/index.ts";
import { verifyNode } from "../src/core/crypto/ed25519-node.ts";
import { nodePoolAuthority } from "../src/core/capability/authority-node.ts";
import { alice, bob, carol, dave } from "../tests/fixtures/identities.ts";
import { delegate, ucanApi } from "../src/core/capability/issue.ts";
import { derivePoolId } from "../src/core/capability/pool.ts";
import { poolResource } from "../src/core/capability/abilities.ts";
import { PoolAuthority } from "../src/core/capability/authority.ts";
import { NO_REVOCATIONS } from "../src/core/capability/revocation.ts";

const ROUNDS = 3;
const CHAINS_PER_ROUND = 600;
const IN_FLIGHT = 16;

const pool = derivePoolId(alice.did, new Uint8Array(16).fill(1));
const expiration = Math.floor(Date.now() / 1000) + 3600;

/** A fresh 3-link chain (fresh nonces at every link, so nothing is shared between chains). */
async function chain(): Promise<string> {
  const admin = await delegate({ issuer: alice.signingKey, audience: bob.did, pool, abilities: ["member/invite", "job/run", "job/submit"], expiration });
  const member = await delegate({ issuer: bob.signingKey, audience: carol.did, pool, abilities: ["member/invite", "job/run"], expiration, proof: admin });
  return delegate({ issuer: carol.signingKey, audience: dave.did, pool, abilities: ["job/run"], expiration, proof: member });
}

const chains: string[] = [];
for (let i = 0; i < CHAINS_PER_ROUND; i++) chains.push(await chain());

const query = (proof: string) => ({ pool, root: alice.did, author: dave.did, at: Math.floor(Date.now() / 1000), seq: 1, proof, revocations: NO_REVOCATIONS, ability: "job/run" as const });

const stockOptions = {
  audience: dave.did,
  requiredCapabilities: [{ capability: { with: stock.capability.resourcePointer.parse(poolResource(pool)), can: stock.ability.parse("job/run") }, rootIssuer: alice.did }],
};

/** Runs per second, `inFlight` at a time (1: each waits for the previous one). */
async function rate(count: number, inFlight: number, run: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < count) await run(next++);
  }));
  return count / ((performance.now() - start) / 1000);
}

async function expectOk(result: Promise<{ ok: boolean }>): Promise<void> {
  if (!(await result).ok) throw new Error("benchmark chain was refused");
}

/** Every token of every chain, decoded up front: the floor verifies exactly these signatures. */
const links = chains.flatMap((c) => {
  const tokens: UcanToken[] = [];
  for (let encoded: string | undefined = c; encoded !== undefined; ) {
    const decoded = decodeToken(encoded);
    if (!decoded.ok) throw new Error(decoded.message);
    tokens.push(decoded.token);
    encoded = decoded.token.prf[0];
  }
  return tokens;
});

/** The floor: a cold 3-deep chain is three Ed25519 verifies with the given API, nothing else. */
const floor = (verifier: SignatureVerifier) => async () =>
  (await rate(links.length, IN_FLIGHT, async (i) => {
    const t = links[i]!;
    if (!(await verifier(t.issuerKey, utf8(t.signedData), t.signature)).ok) throw new Error("verify failed");
  })) / 3;

/** Each cold check gets a fresh authority: nothing is cached between chains. */
const cold = (authority: () => PoolAuthority, inFlight: number) => () => rate(chains.length, inFlight, (i) => expectOk(authority().authorise(query(chains[i]!))));
const warm = nodePoolAuthority();
await expectOk(warm.authorise(query(chains[0]!)));

const rows = {
  stock: { label: "stock @ucans/ucans verify (pure-JS Ed25519)", measure: () => rate(20, 1, (i) => expectOk(stock.verify(chains[i]!, stockOptions))) },
  corePlugin: { label: "@ucans/core verify + our did:key plugin", measure: () => rate(100, 1, (i) => expectOk(ucanApi.verify(chains[i]!, stockOptions))) },
  webCryptoFloor: { label: `floor: WebCrypto verify rate / 3 (${IN_FLIGHT} in flight)`, measure: floor(verify) },
  webCryptoCold: { label: `ours, WebCrypto (the browser's path), cold, ${IN_FLIGHT} in flight`, measure: cold(() => new PoolAuthority(), IN_FLIGHT) },
  nodeFloor: { label: `floor: node:crypto thread-pool verify rate / 3 (${IN_FLIGHT} in flight)`, measure: floor(verifyNode) },
  coldSerial: { label: "ours, node:crypto, cold, one chain at a time", measure: cold(nodePoolAuthority, 1) },
  coldParallel: { label: `ours, node:crypto, cold, ${IN_FLIGHT} chains in flight`, measure: cold(nodePoolAuthority, IN_FLIGHT) },
  cached: { label: "ours, cached (same token again)", measure: () => rate(200_000, 1, () => expectOk(warm.authorise(query(chains[0]!)))) },
};

const best: Record<string, number> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, row] of Object.entries(rows)) best[name] = Math.max(best[name] ?? 0, await row.measure());
}
const figure = (name: keyof typeof rows) => best[name]!;

console.log("| 3-deep chain validation | chains/s | vs stock |");
console.log("|---|---:|---:|");
for (const [name, row] of Object.entries(rows)) {
  console.log(`| ${row.label} | ${Math.round(best[name]!).toLocaleString("en")} | ${(best[name]! / figure("stock")).toFixed(1)}x |`);
}
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;
console.log(`\nload average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores; best of ${ROUNDS} interleaved rounds`);
console.log(`cold (${IN_FLIGHT} in flight) is ${percent(figure("coldParallel"), figure("nodeFloor"))} of the node:crypto signature floor (WebCrypto path: ${percent(figure("webCryptoCold"), figure("webCryptoFloor"))} of its floor)`);
console.log(`cached vs cold (one at a time): ${(figure("cached") / figure("coldSerial")).toFixed(0)}x; cold (${IN_FLIGHT} in flight) target >= 2,000/s: ${figure("coldParallel") >= 2000 ? "met" : "NOT met"}`);
