/**
 * Pools: a pool id commits to its root DID, so nobody but the root can create a pool with a given
 * id (a `pool.create` entry is valid only if its author and nonce hash to its pool id).
 */
import { base32 } from "multiformats/bases/base32";
import { bytesToHex, randomBytes, sha256, utf8 } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";

export type PoolId = string & { readonly __brand: "PoolId" };

const POOL_ID_PATTERN = /^[a-z2-7]{26}$/;
const POOL_ID_DOMAIN = "edgepool/pool-id/v1";
const NONCE_BYTES = 16;

/** 16 bytes of SHA-256 over a domain tag, the root DID and a nonce, in base32 (26 characters). */
export function derivePoolId(root: Did, nonce: Uint8Array): PoolId {
  const digest = sha256(utf8(`${POOL_ID_DOMAIN}\0${root}\0${bytesToHex(nonce)}`));
  return base32.baseEncode(digest.subarray(0, 16)) as PoolId;
}

export const newPoolNonce = (): Uint8Array => randomBytes(NONCE_BYTES);

export function poolIdMatches(pool: PoolId, root: Did, nonce: Uint8Array): boolean {
  return derivePoolId(root, nonce) === pool;
}

export type PoolIdResult = { ok: true; pool: PoolId } | { ok: false; message: string };

export function parsePoolId(input: unknown): PoolIdResult {
  if (typeof input !== "string" || !POOL_ID_PATTERN.test(input)) {
    return { ok: false, message: `not a pool id: ${JSON.stringify(String(input).slice(0, 40))} (26 characters a-z, 2-7, as printed by \`edgepool pool create\`)` };
  }
  return { ok: true, pool: input as PoolId };
}

/** What a pool's owner chooses; carried in its `pool.create` entry. */
export interface PoolSettings {
  readonly name: string;
  /** Replicas per job (k): how many workers run each job for majority verification. */
  readonly replication: number;
  /** Credits a matching worker earns per job. */
  readonly rewardPerJob: number;
  /** Seconds before earned credits can be spent. */
  readonly vestingSeconds: number;
  /** Seconds a claim holds a replica before another worker may take it. */
  readonly leaseSeconds: number;
}

/** Defaults for what the owner does not choose; the ledger's pool.create schema holds the bounds. */
export const DEFAULT_POOL_SETTINGS: Omit<PoolSettings, "name"> = {
  replication: 3,
  rewardPerJob: 10,
  vestingSeconds: 24 * 3600,
  leaseSeconds: 300,
};
