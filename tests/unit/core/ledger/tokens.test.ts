import { describe, expect, it } from "vitest";
import { utf8 } from "../../../../src/core/crypto/index.ts";
import { tokenCid, tokenUnder } from "../../../../src/core/ledger/tokens.ts";

const token = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6a2V5OnoifQ.c2ln";
const other = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6a2V5OnkifQ.c2ln";

describe("tokenUnder", () => {
  it("accepts the bytes of a token under its own CID only, however often the same value is read", () => {
    const value = utf8(token);
    for (let i = 0; i < 3; i++) {
      expect(tokenUnder(tokenCid(token), value)).toBe(token);
      // The same value object read under another token's key is refused every time.
      expect(tokenUnder(tokenCid(other), value)).toBeUndefined();
    }
    expect(tokenUnder(tokenCid(other), utf8(other))).toBe(other);
  });

  it("refuses bytes that do not hash to the key, and keys that are not token CIDs", () => {
    expect(tokenUnder(tokenCid(token), utf8(other))).toBeUndefined();
    expect(tokenUnder("bafkreinotacid", utf8(token))).toBeUndefined();
    expect(tokenUnder(tokenCid(token), token)).toBeUndefined();
  });
});
