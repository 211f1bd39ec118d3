import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { scryptSync } from "node:crypto";
import { createBackup, decryptBackup, readBackup, type BackupErrorReason } from "../../../../src/core/identity/backup.ts";
import { aeadSeal, bytesToHex, scryptDerive, utf8 } from "../../../../src/core/crypto/index.ts";
import { aliceBackupV1 } from "../../../fixtures/backup-v1.ts";
import { alice, bob } from "../../../fixtures/identities.ts";

// Cheap scrypt for tests; the defaults (2^17) are checked once below.
const fast = { kdf: { N: 1024, r: 8, p: 1 } };
const passphrase = "correct horse battery staple";
/** alice's member key-agreement secret in the vector (any 32 bytes are an X25519 secret). */
const aliceKex = new Uint8Array(32).fill(0x03);
const aliceSecrets = { seed: alice.seed, kex: aliceKex };
const bobSecrets = { seed: bob.seed, kex: new Uint8Array(32).fill(0x04) };

/**
 * The format's test vector (version 2): alice's seed 01…01 and key-agreement secret 03…03, salt
 * 11…11, nonce 22…22, N=1024, r=8, p=1. Any implementation (the browser's included) must open it
 * and write these bytes.
 */
const aliceBackupVector = `{
  "format": "edgepool-identity-backup",
  "version": 2,
  "did": "did:key:z6Mkon3Necd6NkkyfoGoHxid2znGc59LU3K7mubaRcFbLfLX",
  "kdf": {
    "name": "scrypt",
    "N": 1024,
    "r": 8,
    "p": 1,
    "salt": "EREREREREREREREREREREQ"
  },
  "cipher": {
    "name": "xchacha20-poly1305",
    "nonce": "IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIi"
  },
  "keyCheck": "rMWwFkVbhiAXg1ZFeykI+w",
  "ciphertext": "NJzX4mXouNpofpehSAzCHnVSl0F18LtD6PlmLn69G8zdDAyuufBR1zjINP+lMWRgaMvU3WpYyxN4cuxtJwsSlWKn0bYDQIKL7EYYzB4jPqI"
}
`;

async function expectRefused(text: string, reason: BackupErrorReason, pass = passphrase): Promise<string> {
  const result = await decryptBackup(text, pass);
  expect(result.ok ? "opened" : result.reason).toBe(reason);
  return result.ok ? "" : result.message;
}

const edit = (text: string, change: (file: any) => void): string => {
  const file = JSON.parse(text);
  change(file);
  return JSON.stringify(file);
};

describe("identity backups", () => {
  it("writes the published vector byte for byte from fixed salt and nonce, and opens it", async () => {
    let call = 0;
    const random = (n: number) => new Uint8Array(n).fill(++call === 1 ? 0x11 : 0x22);
    expect(await createBackup(aliceSecrets, passphrase, { ...fast, random })).toBe(aliceBackupVector);
    const opened = await decryptBackup(aliceBackupVector, passphrase);
    expect(opened.ok && { did: opened.did, seed: bytesToHex(opened.seed), kex: opened.kex && bytesToHex(opened.kex) }).toEqual({
      did: alice.did,
      seed: bytesToHex(alice.seed),
      kex: bytesToHex(aliceKex),
    });
  });

  it("opens a version 1 backup (from before backups carried the key-agreement key) with no kex", async () => {
    const opened = await decryptBackup(aliceBackupV1, passphrase);
    expect(opened.ok && { did: opened.did, seed: bytesToHex(opened.seed), kex: opened.kex }).toEqual({ did: alice.did, seed: bytesToHex(alice.seed), kex: undefined });
    expect(await expectRefused(aliceBackupV1, "wrong-passphrase", "Correct horse battery staple")).toMatch(/wrong passphrase/);
  });

  it("refuses a version 2 file relabelled as version 1, and the reverse (the version is in the AAD)", async () => {
    const v2AsV1 = edit(aliceBackupVector, (f) => (f.version = 1));
    expect(await expectRefused(v2AsV1, "malformed")).toMatch(/ciphertext is 80 bytes, expected 48/);
    const file = JSON.parse(aliceBackupVector);
    const dk = await scryptDerive(utf8(passphrase), Buffer.from(file.kdf.salt, "base64"), fast.kdf, 48);
    const sealedAsV1 = aeadSeal(dk.subarray(0, 32), Buffer.from(file.cipher.nonce, "base64"), new Uint8Array(64).fill(1), utf8(`edgepool-identity-backup:v1:${alice.did}`));
    await expectRefused(edit(aliceBackupVector, (f) => (f.ciphertext = Buffer.from(sealedAsV1).toString("base64").replace(/=+$/, ""))), "tampered");
  });

  it("derives its key check as bytes 32..48 of RFC 7914 scrypt over the NFKC passphrase (checked with node:crypto)", () => {
    const file = JSON.parse(aliceBackupVector);
    const dk = scryptSync(passphrase, Buffer.from(file.kdf.salt, "base64"), 48, { N: 1024, r: 8, p: 1 });
    expect(dk.subarray(32).toString("base64").replace(/=+$/, "")).toBe(file.keyCheck);
  });

  it("uses the default scrypt cost unless told otherwise, and shows the DID in clear", async () => {
    // One derivation at 2^17 (~1.5 s alone, over 60 s beside another test file at load 28: hence the
    // timeout); the CLI integration tests open such backups end to end.
    const header = readBackup(await createBackup(bobSecrets, passphrase));
    expect(header.ok && header.backup).toMatchObject({ version: 2, did: bob.did, kdf: { N: 2 ** 17, r: 8, p: 1 } });
  }, 300_000);

  it("round-trips any seed and key-agreement secret under any non-empty passphrase", async () => {
    const key = fc.uint8Array({ minLength: 32, maxLength: 32 });
    await fc.assert(
      fc.asyncProperty(key, key, fc.string({ minLength: 1, maxLength: 64, unit: "grapheme" }), async (seed, kex, pass) => {
        const opened = await decryptBackup(await createBackup({ seed, kex }, pass, fast), pass);
        expect(opened.ok && [bytesToHex(opened.seed), opened.kex && bytesToHex(opened.kex)]).toEqual([bytesToHex(seed), bytesToHex(kex)]);
      }),
      { numRuns: 10 },
    );
  });

  it("opens with the same passphrase typed composed or decomposed (NFKC)", async () => {
    const text = await createBackup(aliceSecrets, "caf\u00e9 au lait", fast);
    expect((await decryptBackup(text, "cafe\u0301 au lait")).ok).toBe(true);
  });

  it("says the passphrase is wrong when it is", async () => {
    expect(await expectRefused(aliceBackupVector, "wrong-passphrase", "Correct horse battery staple")).toMatch(/wrong passphrase/);
  });

  it("says the backup was altered when the DID in clear is swapped for another", async () => {
    const swapped = edit(aliceBackupVector, (f) => (f.did = bob.did));
    expect(await expectRefused(swapped, "tampered")).toMatch(/altered/);
  });

  it("says the backup was altered when one bit of the ciphertext flips", async () => {
    const file = JSON.parse(aliceBackupVector);
    const bytes = Buffer.from(file.ciphertext, "base64");
    bytes[5]! ^= 0x01;
    await expectRefused(edit(aliceBackupVector, (f) => (f.ciphertext = bytes.toString("base64").replace(/=+$/, ""))), "tampered");
  });

  it("refuses a crafted backup that seals bob's key under alice's DID", async () => {
    const file = JSON.parse(aliceBackupVector);
    const dk = await scryptDerive(utf8(passphrase), Buffer.from(file.kdf.salt, "base64"), fast.kdf, 48);
    const secrets = new Uint8Array([...bob.seed, ...aliceKex]);
    const sealed = aeadSeal(dk.subarray(0, 32), Buffer.from(file.cipher.nonce, "base64"), secrets, utf8(`edgepool-identity-backup:v2:${alice.did}`));
    const crafted = edit(aliceBackupVector, (f) => (f.ciphertext = Buffer.from(sealed).toString("base64").replace(/=+$/, "")));
    expect(await expectRefused(crafted, "did-mismatch")).toContain(bob.did);
  });

  it("refuses truncated, empty and non-backup files as malformed, without running scrypt", async () => {
    for (const text of [aliceBackupVector.slice(0, 200), "", "null", "[]", '{"format":"something-else"}', "x".repeat(100_000)]) {
      const result = readBackup(text);
      expect(result.ok ? "read" : result.reason, JSON.stringify(text.slice(0, 30))).toBe("malformed");
    }
  });

  it("refuses fields of the wrong type or length with the field's name", async () => {
    const cases: Array<[(f: any) => void, RegExp]> = [
      [(f) => (f.ciphertext = f.ciphertext.slice(0, 20)), /ciphertext is \d+ bytes, expected 80/],
      [(f) => delete f.keyCheck, /keyCheck is missing/],
      [(f) => (f.cipher.nonce = "!!!"), /cipher\.nonce is not base64/],
      [(f) => (f.kdf.salt = 7), /kdf\.salt is missing/],
      [(f) => (f.did = "did:key:xyz"), /DID is invalid/],
    ];
    for (const [change, message] of cases) expect(await expectRefused(edit(aliceBackupVector, change), "malformed")).toMatch(message);
  });

  it("refuses other versions and algorithms by name", async () => {
    for (const version of [3, 0, "2", 1.5]) await expectRefused(edit(aliceBackupVector, (f) => (f.version = version)), "unsupported-version");
    await expectRefused(edit(aliceBackupVector, (f) => (f.kdf.name = "pbkdf2")), "unsupported-algorithm");
    await expectRefused(edit(aliceBackupVector, (f) => (f.cipher.name = "aes-256-gcm")), "unsupported-algorithm");
  });

  it("refuses absurd scrypt parameters before spending memory or time on them (DoS)", async () => {
    const started = performance.now();
    for (const kdf of [{ N: 2 ** 40 }, { N: 2 ** 20, r: 64 }, { p: 1e9 }, { N: "1024" }, { N: 1000 }]) {
      await expectRefused(edit(aliceBackupVector, (f) => Object.assign(f.kdf, kdf)), "kdf-params-out-of-range");
    }
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("refuses an empty passphrase when creating (the CLI asks for one first)", async () => {
    await expect(createBackup(aliceSecrets, "", fast)).rejects.toThrow(/must not be empty/);
    await expect(createBackup({ seed: alice.seed, kex: new Uint8Array(31) }, passphrase, fast)).rejects.toThrow(/32-byte key-agreement secret/);
  });
});
