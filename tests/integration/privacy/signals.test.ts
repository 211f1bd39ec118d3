import { afterEach, describe, expect, it } from "vitest";
import type { DocHandle } from "@automerge/automerge-repo";
import { randomBytes, utf8 } from "../../../src/core/crypto/index.ts";
import { sealedSignals } from "../../../src/core/privacy/sealed-signals.ts";
import { until } from "../../fixtures/until.ts";
import { privatePool, type PrivatePool } from "./private-pool.ts";

let pool: PrivatePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

const latin1 = (value: unknown): string => JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? new TextDecoder("latin1").decode(v) : v));

describe("direct-peer signals in a private pool", () => {
  it("reach members sealed through the relay, which sees no DID; a forged one is dropped", async () => {
    pool = await privatePool();
    const { alice, bob, relay } = pool;
    await until(() => bob.node.ledger.state.privacy !== undefined, "bob reads the sealed genesis");
    const key = alice.node.sealingKey()!;
    const atRelay: unknown[] = [];
    const relayHandle = (await relay.repo.find(key.documentUrl)) as DocHandle<unknown>;
    relayHandle.on("ephemeral-message", ({ message }) => atRelay.push(message));
    const atBob: unknown[] = [];
    const stop = sealedSignals(bob.node).subscribe((message) => atBob.push(message));
    // A signal as direct.ts sends it: signed, naming its author.
    const signal = { edgepoolSignal: 1, payload: utf8(`hello from ${alice.who.did}`), sig: new Uint8Array(64).fill(1) };
    // mallory, on the relay, forges one under the epoch's key id without the key.
    relayHandle.broadcast({ edgepoolSealedSignal: 1, keyId: key.keyId, nonce: randomBytes(24), box: randomBytes(200) });
    const fromAlice = sealedSignals(alice.node);
    await until(() => {
      fromAlice.send(signal);
      return atBob.length > 0;
    }, "bob hears alice's signal");
    expect(atBob.every((m) => latin1(m) === latin1(signal))).toBe(true);
    expect(atRelay.length).toBeGreaterThan(0);
    for (const seen of atRelay) expect(latin1(seen)).not.toContain(alice.who.did);
    stop();
  }, 30_000);
});
