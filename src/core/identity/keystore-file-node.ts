/**
 * The Node keystore: the node's Ed25519 seed in `<home>/identity.json`, mode 0600, in a 0700
 * directory. Losing this file is losing the identity and every credit it earned, so a file we
 * cannot read (corrupt, foreign, readable by others) is reported and never replaced, and every
 * write is atomic (atomic-file-node.ts).
 *
 * File: {"format":"edgepool-identity","version":1,"did":"did:key:z6Mk…","seed":"<64 hex>"}; the
 * DID is stored beside the seed so a damaged seed is detected instead of silently becoming
 * someone else.
 */
import { link, mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { bytesEqual, bytesToHex, generateSeed, hexToBytes, seedSigningKey } from "../crypto/index.ts";
import { errorCode, writeFileAtomic } from "./atomic-file-node.ts";
import { didFromPublicKey, type Did } from "./did-key.ts";
import type { Identity, Keystore } from "./keystore.ts";

export const IDENTITY_FILE = "identity.json";
const FORMAT = "edgepool-identity";
const MAX_FILE_BYTES = 4096; // the real file is ~150 bytes; refuse to slurp anything huge

export type KeystoreFailureReason = "corrupt" | "insecure-permissions" | "unreadable" | "unwritable" | "exists-different";
export type KeystoreFailure = { ok: false; reason: KeystoreFailureReason; message: string };

/** The stored identity with its seed (the seed is what a backup carries). */
export interface StoredIdentity {
  readonly identity: Identity;
  readonly seed: Uint8Array;
}

export type ReadResult = { ok: true; stored: StoredIdentity | undefined } | KeystoreFailure;
export type StoreResult = { ok: true; stored: StoredIdentity; created: boolean; replacedPath: string | undefined } | KeystoreFailure;

/** Thrown by the `Keystore` methods, which return identities rather than results. */
export class KeystoreFileError extends Error {
  constructor(readonly failure: KeystoreFailure) {
    super(failure.message);
    this.name = "KeystoreFileError";
  }
}

const fail = (reason: KeystoreFailureReason, message: string): KeystoreFailure => ({ ok: false, reason, message });

export class FileKeystore implements Keystore {
  readonly path: string;

  /** @param now clock for naming a replaced identity's kept copy (injected for tests). */
  constructor(
    readonly home: string,
    private readonly now: () => number = Date.now,
  ) {
    this.path = join(home, IDENTITY_FILE);
  }

  async load(): Promise<Identity | undefined> {
    const read = await this.read();
    if (!read.ok) throw new KeystoreFileError(read);
    return read.stored?.identity;
  }

  async loadOrCreate(): Promise<Identity> {
    const result = await this.create();
    if (!result.ok) throw new KeystoreFileError(result);
    return result.stored.identity;
  }

  /** The stored identity, undefined when there is none, or why the file cannot be used. */
  async read(): Promise<ReadResult> {
    let info;
    try {
      info = await stat(this.path);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return { ok: true, stored: undefined };
      return fail("unreadable", `cannot read ${this.path}: ${(error as Error).message}`);
    }
    if (!info.isFile()) return fail("unreadable", `${this.path} is not a regular file; move it away or restore the identity from a backup`);
    if ((info.mode & 0o077) !== 0) {
      const mode = (info.mode & 0o777).toString(8);
      return fail("insecure-permissions", `${this.path} is accessible to other users (mode ${mode}); run \`chmod 600 ${this.path}\` if you trust it, or restore from a backup`);
    }
    if (info.size > MAX_FILE_BYTES) return fail("corrupt", `${this.path} is ${info.size} bytes, not an identity file; restore the identity from a backup`);
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      return fail("unreadable", `cannot read ${this.path}: ${(error as Error).message}`);
    }
    const stored = decodeIdentityFile(text);
    if (typeof stored === "string") return fail("corrupt", `${this.path} is damaged (${stored}); it was left untouched: restore the identity from a backup`);
    return { ok: true, stored };
  }

  /** Returns the stored identity, or creates one when there is none (never over a file it cannot read). */
  async create(): Promise<StoreResult> {
    const read = await this.read();
    if (!read.ok) return read;
    if (read.stored) return { ok: true, stored: read.stored, created: false, replacedPath: undefined };
    return this.store(generateSeed(), { replace: false });
  }

  /**
   * Stores an identity from its seed (an import). The same identity again is a no-op. A different
   * one is refused with `exists-different` unless `replace`; then the old file is kept beside it
   * as `identity.replaced-<time>.json` (a replaced identity may still hold credits).
   */
  async store(seed: Uint8Array, options: { replace: boolean }): Promise<StoreResult> {
    const read = await this.read();
    if (!read.ok && !(options.replace && read.reason === "corrupt")) return read;
    const existing = read.ok ? read.stored : undefined;
    if (existing && bytesEqual(existing.seed, seed)) return { ok: true, stored: existing, created: false, replacedPath: undefined };
    if (existing && !options.replace) {
      return fail("exists-different", `${this.path} already holds another identity, ${existing.identity.did}; export it first, then replace it with --force`);
    }
    try {
      return await this.write(storedIdentity(seed), !read.ok || existing !== undefined);
    } catch (error) {
      return fail("unwritable", `cannot write the identity to ${this.path}: ${(error as Error).message}`);
    }
  }

  /** Writes a new identity file; `replacing` keeps the current file (a hard link, so no copy can half-fail) first. */
  private async write(stored: StoredIdentity, replacing: boolean): Promise<StoreResult> {
    await mkdir(this.home, { recursive: true, mode: 0o700 });
    if (replacing) {
      const replacedPath = join(this.home, `identity.replaced-${this.now()}.json`);
      await link(this.path, replacedPath);
      await writeFileAtomic(this.path, encodeIdentityFile(stored), { overwrite: true });
      return { ok: true, stored, created: true, replacedPath };
    }
    if ((await writeFileAtomic(this.path, encodeIdentityFile(stored), { overwrite: false })) === "exists") {
      // Another process created an identity meanwhile: theirs is the node's identity now.
      const winner = await this.read();
      if (!winner.ok) return winner;
      if (winner.stored) return { ok: true, stored: winner.stored, created: false, replacedPath: undefined };
      return fail("unreadable", `${this.path} appeared and vanished while storing the identity; try again`);
    }
    return { ok: true, stored, created: true, replacedPath: undefined };
  }
}

function storedIdentity(seed: Uint8Array): StoredIdentity {
  const signingKey = seedSigningKey(seed);
  return { identity: { did: didFromPublicKey(signingKey.publicKey), signingKey }, seed: seed.slice() };
}

function encodeIdentityFile(stored: StoredIdentity): string {
  return JSON.stringify({ format: FORMAT, version: 1, did: stored.identity.did, seed: bytesToHex(stored.seed) }) + "\n";
}

/** The stored identity, or what is wrong with the file. */
function decodeIdentityFile(text: string): StoredIdentity | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const file = value as Record<string, unknown>;
  if (file.format !== FORMAT) return `format is ${JSON.stringify(file.format)}, expected "${FORMAT}"`;
  if (file.version !== 1) return `version ${JSON.stringify(file.version)} is not supported (this EdgePool reads version 1)`;
  if (typeof file.seed !== "string" || !/^[0-9a-f]{64}$/.test(file.seed)) return "the seed is not 64 lowercase hex digits";
  const stored = storedIdentity(hexToBytes(file.seed));
  if (stored.identity.did !== (file.did as Did)) return `the seed belongs to ${stored.identity.did}, but the file names ${JSON.stringify(file.did)}`;
  return stored;
}
