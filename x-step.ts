import { createHash, createDecipheriv } from "node:crypto";
import * as dagCbor from "@ipld/dag-cbor";
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { seedSigningKey, sha256 } from "./src/core/crypto/index.ts";
import { didFromPublicKey } from "./src/core/identity/did-key.ts";
import type { SignedEntry } from "./src/core/ledger/types.ts";
import { createPool, type Author } from "./src/core/ledger/writer.ts";
import { sealEnvelope, openEnvelope, envelopeHash } from "./src/core/privacy/envelope.ts";
import { newEpochKey } from "./src/core/privacy/epoch-key.ts";
import { nodeDeflater } from "./src/core/privacy/deflate-node.ts";
const T0 = 1_767_225_600_000;
const signingKey = seedSigningKey(new Uint8Array(32).fill(1));
const root: Author = { did: didFromPublicKey(signingKey.publicKey), signingKey };
const { pool, entry, writer } = await createPool(root, { name: "bench", replication: 1, rewardPerJob: 1, vestingSeconds: 0, leaseSeconds: 60 }, new Uint8Array(16).fill(7), T0);
const list: SignedEntry[] = [entry];
for (let i = 1; i < 16; i++) list.push(await writer.write("job.submit", { task: "a".repeat(64), input: new Uint8Array([i & 255, i >> 8]), replicas: 1, reward: 1, deadline: T0 + 10 ** 9 }, T0 + i));
const key = newEpochKey(pool, 0);
const { hash, bytes } = await sealEnvelope(key, list, [], nodeDeflater);
console.log("envelope", bytes.length);
const inner = dagCbor.encode({ e: list.map((e) => e.bytes), t: [] });
const deflated = await nodeDeflater.deflate(inner);
const nonce = bytes.subarray(9, 33); const ad = new Uint8Array(40);
const sealed = xchacha20poly1305(key.entryKey, nonce, ad).encrypt(new Uint8Array(bytes.length - 33 - 16));
const fns: Record<string, () => unknown> = {
  open: () => openEnvelope(pool, hash, bytes, () => key, nodeDeflater),
  hash: () => envelopeHash(bytes),
  sha: () => sha256(bytes),
  nodeSha: () => createHash("sha256").update(bytes).digest(),
  aead: () => xchacha20poly1305(key.entryKey, nonce, ad).decrypt(sealed),
  inflate: () => nodeDeflater.inflate(deflated, 1 << 22),
  decode: () => dagCbor.decode(inner),
};
const tot: Record<string, number[]> = {};
for (let r = 0; r < 5; r++) for (const [name, f] of Object.entries(fns)) {
  const n = 500; const c = process.cpuUsage();
  for (let i = 0; i < n; i++) await f();
  const u = process.cpuUsage(c); (tot[name] ??= []).push((u.user + u.system) / n);
}
for (const [k, v] of Object.entries(tot)) console.log(k, v.map((x) => x.toFixed(1)).join(" "));
