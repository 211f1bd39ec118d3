import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import * as Digest from "multiformats/hashes/digest";
import * as dagCbor from "@ipld/dag-cbor";
import { cidString, DAG_CBOR, RAW } from "../../../../src/core/ledger/cid.ts";

describe("cidString", () => {
  it("writes the same CIDv1 base32 strings as multiformats, for entries (dag-cbor) and tokens (raw)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (digest) => {
        expect(cidString(DAG_CBOR, digest)).toBe(CID.createV1(dagCbor.code, Digest.create(0x12, digest)).toString());
        expect(cidString(RAW, digest)).toBe(CID.createV1(raw.code, Digest.create(0x12, digest)).toString());
      }),
    );
  });

  it("refuses a digest that is not 32 bytes", () => {
    expect(() => cidString(RAW, new Uint8Array(31))).toThrow(/32 bytes/);
  });
});
