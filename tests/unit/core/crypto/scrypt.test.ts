import { describe, expect, it } from "vitest";
import { bytesToHex, checkScryptParams, DEFAULT_SCRYPT_PARAMS, scryptDerive, utf8 } from "../../../../src/core/crypto/index.ts";

describe("scrypt", () => {
  it("matches RFC 7914 section 12 (password / NaCl, N=1024, r=8, p=16)", async () => {
    const key = await scryptDerive(utf8("password"), utf8("NaCl"), { N: 1024, r: 8, p: 16 }, 64);
    expect(bytesToHex(key)).toBe(
      "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
    );
  });

  it("accepts the defaults and refuses parameters a hostile file could use to exhaust memory or time", () => {
    expect(checkScryptParams(DEFAULT_SCRYPT_PARAMS)).toBeUndefined();
    expect(checkScryptParams({ N: 2 ** 30, r: 8, p: 1 })).toMatch(/between 2\^10 and 2\^20/);
    expect(checkScryptParams({ N: 2 ** 20, r: 8, p: 1 })).toMatch(/MiB/);
    expect(checkScryptParams({ N: 2 ** 17, r: 8, p: 16 })).toMatch(/N \* r \* p/);
    expect(checkScryptParams({ N: 1000, r: 8, p: 1 })).toMatch(/power of two/);
    expect(checkScryptParams({ N: 2 ** 4, r: 8, p: 1 })).toMatch(/between/);
    expect(checkScryptParams({ N: 2 ** 14, r: 1e9, p: 1 })).toMatch(/r must be at most/);
    expect(checkScryptParams({ N: 2 ** 14, r: 8, p: 0 })).toMatch(/positive integers/);
    expect(checkScryptParams({ N: 2 ** 14, r: 8.5, p: 1 })).toMatch(/positive integers/);
  });

  it("will not run with parameters outside the limits", async () => {
    await expect(scryptDerive(utf8("pw"), utf8("salt"), { N: 2 ** 24, r: 8, p: 1 }, 32)).rejects.toThrow(/out of range/);
  });
});
