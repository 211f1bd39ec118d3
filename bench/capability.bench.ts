/**
 * Capability benchmark: validating a 3-deep delegation chain (root -> admin -> member -> worker),
 * cold (nothing cached) and cached, against stock @ucans/ucans 0.12 `verify` (pure-JS Ed25519)
 * and @ucans/core 0.12 `verify` with our did:key plugin, all in this run on these chains.
 * Targets (issue 4): >= 2,000 cold chains/s; a cached check >= 100x faster than a cold one.
 */
import { availableParallelism, loadavg } from "node:os";
import * as stock from "@ucans/ucans";
import { decodeToken } from "../src/core/capability/token.ts";
import { utf8, verify } from "../src/core/crypto/index.ts";
import { alice, bob, carol, dave } from "../tests/fixtures/identities.ts";
import { delegate, ucanApi } from "../src/core/capability/issue.ts";
import { derivePoolId } from "../src/core/capability/pool.ts";
import { poolResource } from "../src/core/capability/abilities.ts";
import { PoolAuthority } from "../src/core/capability/authority.ts";
import { NO_REVOCATIONS } from "../src/core/capability/revocation.ts";

const pool = derivePoolId(alice.did, new Uint8Array(16).fill(1));
const expiration = Math.floor(Date.now() / 1000) + 3600;

/** A fresh 3-link chain (fresh nonces at every link, so nothing is shared between chains). */
async function chain(): Promise<string> {
  const admin = await delegate({ issuer: alice.signingKey, audience: bob.did, pool, abilities: ["member/invite", "job/run", "job/submit"], expiration });
  const member = await delegate({ issuer: bob.signingKey, audience: carol.did, pool, abilities: ["member/invite", "job/run"], expiration, proof: admin });
  return delegate({ issuer: carol.signingKey, audience: dave.did, pool, abilities: ["job/run"], expiration, proof: member });
}

const chains: string[] = [];
for (let i = 0; i < 600; i++) chains.push(await chain());

const query = (proof: string) => ({ pool, root: alice.did, author: dave.did, at: Math.floor(Date.now() / 1000), seq: 1, proof, revocations: NO_REVOCATIONS, ability: "job/run" as const });

const stockOptions = {
  audience: dave.did,
  requiredCapabilities: [{ capability: { with: stock.capability.resourcePointer.parse(poolResource(pool)), can: stock.ability.parse("job/run") }, rootIssuer: alice.did }],
};

async function rate(label: string, count: number, run: (i: number) => Promise<unknown>): Promise<{ label: string; perSecond: number }> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await run(i);
  return { label, perSecond: count / ((performance.now() - start) / 1000) };
}

/** `inFlight` chains at a time: WebCrypto verifies run off the main thread, so both cores work. */
async function concurrentRate(label: string, count: number, inFlight: number, run: (i: number) => Promise<unknown>) {
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < count) await run(next++);
  }));
  return { label, perSecond: count / ((performance.now() - start) / 1000) };
}

async function expectOk(result: Promise<{ ok: boolean }>): Promise<void> {
  if (!(await result).ok) throw new Error("benchmark chain was refused");
}

/** The floor: a cold 3-deep chain is three Ed25519 verifies through src/core/crypto, nothing else. */
const leaves = chains.map((c) => {
  const decoded = decodeToken(c);
  if (!decoded.ok) throw new Error(decoded.message);
  return decoded.token;
});
const rawVerify = await concurrentRate("raw", leaves.length, 16, async (i) => {
  const t = leaves[i]!;
  if (!(await verify(t.issuerKey, utf8(t.signedData), t.signature)).ok) throw new Error("verify failed");
});
const floor = { label: "floor: raw Ed25519 verify rate / 3 (16 in flight)", perSecond: rawVerify.perSecond / 3 };

const stockRun = await rate("stock @ucans/ucans verify (pure-JS Ed25519)", 40, (i) => expectOk(stock.verify(chains[i]!, stockOptions)));
const corePluginRun = await rate("@ucans/core verify + our did:key plugin", 200, (i) => expectOk(ucanApi.verify(chains[i]!, stockOptions)));
const coldSerial = await rate("ours, cold, one chain at a time", 500, (i) => expectOk(new PoolAuthority().authorise(query(chains[i % chains.length]!))));
const coldParallel = await concurrentRate("ours, cold, 16 chains in flight", chains.length, 16, (i) => expectOk(new PoolAuthority().authorise(query(chains[i]!))));
const warm = new PoolAuthority();
await expectOk(warm.authorise(query(chains[0]!)));
const cached = await rate("ours, cached (same token again)", 200_000, () => expectOk(warm.authorise(query(chains[0]!))));

const rows = [stockRun, corePluginRun, floor, coldSerial, coldParallel, cached];
console.log("| 3-deep chain validation | chains/s | vs stock |");
console.log("|---|---:|---:|");
for (const row of rows) console.log(`| ${row.label} | ${Math.round(row.perSecond).toLocaleString("en")} | ${(row.perSecond / stockRun.perSecond).toFixed(1)}x |`);
console.log(`\nload average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores; cold (16 in flight) is ${((100 * coldParallel.perSecond) / floor.perSecond).toFixed(0)}% of the signature floor`);
console.log(`cached vs cold (one at a time): ${(cached.perSecond / coldSerial.perSecond).toFixed(0)}x; cold (16 in flight) target >= 2,000/s: ${coldParallel.perSecond >= 2000 ? "met" : "NOT met"}`);
