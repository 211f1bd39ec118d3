import { describe, expect, it } from "vitest";
import { verify } from "../../../../src/core/crypto/ed25519.ts";
import { verifyNode } from "../../../../src/core/crypto/ed25519-node.ts";
import { hexToBytes } from "../../../../src/core/crypto/bytes.ts";
import { readVectors as vectors } from "../../../fixtures/vectors.ts";

const speccheck = vectors("ed25519-speccheck.json");
const wycheproof = vectors("wycheproof/ed25519_test.json");

describe("Ed25519 through node:crypto (the Node-only fast path)", () => {
  it("gives the same verdict and reason as the default backend on every speccheck case", async () => {
    for (const v of speccheck.vectors) {
      const args = [hexToBytes(v.pub_key), hexToBytes(v.message), hexToBytes(v.signature)] as const;
      expect(await verifyNode(...args)).toEqual(await verify(...args));
    }
  });

  it("agrees with Wycheproof on every case", async () => {
    for (const group of wycheproof.testGroups) {
      const pk = hexToBytes(group.publicKey?.pk ?? group.key.pk);
      for (const t of group.tests) {
        const result = await verifyNode(pk, hexToBytes(t.msg), hexToBytes(t.sig));
        expect.soft(result.ok, `tcId ${t.tcId}: ${t.comment}`).toBe(t.result === "valid");
      }
    }
  });
});
