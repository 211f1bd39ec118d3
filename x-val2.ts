import { seedSigningKey } from "./src/core/crypto/index.ts";
import { didFromPublicKey } from "./src/core/identity/did-key.ts";
import type { SignedEntry } from "./src/core/ledger/types.ts";
import { UcanAuthoriser } from "./src/core/ledger/ucan-authoriser.ts";
import { contextOf, validateMany } from "./src/core/ledger/validate.ts";
import { createPool, type Author } from "./src/core/ledger/writer.ts";
import { openEnvelope, sealEnvelope } from "./src/core/privacy/envelope.ts";
import { newEpochKey } from "./src/core/privacy/epoch-key.ts";
import { nodeDeflater } from "./src/core/privacy/deflate-node.ts";
const T0 = 1_767_225_600_000; const N = 800; const now = () => T0 + 10_000_000;
const signingKey = seedSigningKey(new Uint8Array(32).fill(1));
const root: Author = { did: didFromPublicKey(signingKey.publicKey), signingKey };
const { pool, entry, writer } = await createPool(root, { name: "bench", replication: 1, rewardPerJob: 1, vestingSeconds: 0, leaseSeconds: 60 }, new Uint8Array(16).fill(7), T0);
const list: SignedEntry[] = [entry];
for (let i = 1; i < N; i++) list.push(await writer.write("job.submit", { task: "a".repeat(64), input: new Uint8Array([i & 255, i >> 8]), replicas: 1, reward: 1, deadline: T0 + 10 ** 9 }, T0 + i));
const key = newEpochKey(pool, 0);
const envelopes: { key: string; value: unknown }[] = [];
for (let i = 0; i < N; i += 16) { const s = await sealEnvelope(key, list.slice(i, i + 16), [], nodeDeflater); envelopes.push({ key: s.hash, value: s.bytes }); }
const openOnly = async () => { const opened: Uint8Array[] = []; for (const { key: hash, value } of envelopes) { const r = await openEnvelope(pool, hash, value, () => key, nodeDeflater); if (r.ok) opened.push(...r.entries); } return opened; };
const opened = await openOnly();
const copies = opened.map((e) => e.slice());
const ctx = () => contextOf({ pool, authoriser: new UcanAuthoriser(), now });
const fns: Record<string, () => Promise<unknown>> = {
  plain: () => validateMany(list.map((e) => e.bytes), ctx()),
  subarrays: () => validateMany(opened, ctx()),
  copies: () => validateMany(copies, ctx()),
  openOnly,
  full: async () => validateMany(await openOnly(), ctx()),
};
const tot: Record<string, { cpu: number; wall: number }[]> = {};
for (let r = 0; r < 6; r++) for (const [name, f] of Object.entries(fns)) {
  const c = process.cpuUsage(); const t = performance.now(); await f(); const u = process.cpuUsage(c);
  (tot[name] ??= []).push({ cpu: (u.user + u.system) / 1000, wall: performance.now() - t });
}
for (const [k, v] of Object.entries(tot)) console.log(k.padEnd(10), "cpu", v.map((x) => x.cpu.toFixed(0)).join(" "), "| wall", v.map((x) => x.wall.toFixed(0)).join(" "));
process.exit(0);
