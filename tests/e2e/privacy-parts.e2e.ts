/**
 * A private pool's web parts in Chromium, as the app bundles them: the inflate refuses bytes after
 * the deflate stream's end (Chromium's DecompressionStream does so itself; Node's parts match it,
 * tests/unit/core/privacy/envelope.test.ts), and HPKE seals and opens with noble's AES loaded on
 * first use, the same bytes as Node's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesToHex, hexToBytes, hpkeOpen, kexKeyPairFromSecret, utf8 } from "../../src/core/crypto/index.ts";
import { hpkeSealNode } from "../../src/core/crypto/hpke-node.ts";
import { nodeDeflater } from "../../src/core/privacy/deflate-node.ts";
import { launchChromium, type BrowserSession } from "./chromium.ts";
import { openModulePage } from "./browser-modules.ts";

const ENTRIES = { deflate: "src/core/privacy/deflate.ts", hpke: "src/core/crypto/hpke.ts" };

let session: BrowserSession;
beforeAll(async () => {
  session = await launchChromium();
});
afterAll(async () => {
  await session?.close();
});

describe("private pools' web parts in Chromium", () => {
  it("refuse bytes after a deflate stream as Node's parts do, and seal and open lockboxes both ways", async () => {
    const page = await openModulePage(session, ENTRIES);
    const plain = utf8("a batch, ".repeat(50));
    const stream = await nodeDeflater.deflate(plain);
    const inflate = (hex: string) =>
      page.evaluate(`window.modules.deflate.inflate(Uint8Array.from(${JSON.stringify(hex)}.match(/../g).map((h) => parseInt(h, 16))), 1000000).then((r) => r.ok ? { ok: true, hex: Array.from(r.bytes, (b) => b.toString(16).padStart(2, "0")).join("") } : { ok: false, reason: r.reason })`);
    expect(await inflate(bytesToHex(stream))).toEqual({ ok: true, hex: bytesToHex(plain) });
    // Chromium's own DecompressionStream refuses them (the web inflate's probe finds so).
    const native = await page.evaluate(`new Response(new Blob([Uint8Array.of(3, 0, 0)]).stream().pipeThrough(new DecompressionStream("deflate-raw"))).arrayBuffer().then(() => "accepted", () => "refused")`);
    expect(native).toBe("refused");
    for (const junk of ["00", "010203"]) {
      expect(await inflate(bytesToHex(stream) + junk)).toEqual({ ok: false, reason: "malformed" });
      expect(await nodeDeflater.inflate(hexToBytes(bytesToHex(stream) + junk), 1_000_000)).toMatchObject({ ok: false, reason: "malformed" });
    }

    const recipient = kexKeyPairFromSecret(new Uint8Array(32).fill(3));
    const info = utf8("lockbox");
    const pageKey = JSON.stringify(bytesToHex(recipient.secretKey));
    const fromNode = await hpkeSealNode(recipient.publicKey, info, utf8("sealed in Node"));
    const openedInPage = (await page.evaluate(`(async () => {
      const hex = (h) => Uint8Array.from(h.match(/../g).map((x) => parseInt(x, 16)));
      const { hpkeOpen, hpkeSeal, kexKeyPairFromSecret } = window.modules.hpke;
      const pair = kexKeyPairFromSecret(hex(${pageKey}));
      const opened = await hpkeOpen(pair, new TextEncoder().encode("lockbox"), hex(${JSON.stringify(bytesToHex(fromNode))}));
      const sealed = await hpkeSeal(pair.publicKey, new TextEncoder().encode("lockbox"), new TextEncoder().encode("sealed in Chromium"));
      return { opened: opened && new TextDecoder().decode(opened), sealed: Array.from(sealed, (b) => b.toString(16).padStart(2, "0")).join("") };
    })()`)) as { opened: string; sealed: string };
    expect(openedInPage.opened).toBe("sealed in Node");
    const fromPage = await hpkeOpen(recipient, info, hexToBytes(openedInPage.sealed));
    expect(fromPage && new TextDecoder().decode(fromPage)).toBe("sealed in Chromium");
  });
});
