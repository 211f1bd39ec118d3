/** A pool for capability tests: alice is the root; helpers sign delegations with the named identities. */
import { derivePoolId, type PoolId } from "../../../../src/core/capability/pool.ts";
import { delegate, type InviteTerms } from "../../../../src/core/capability/issue.ts";
import { PoolAuthority, type AuthorityQuery } from "../../../../src/core/capability/authority.ts";
import { nodePoolAuthority } from "../../../../src/core/capability/authority-node.ts";
import { NO_REVOCATIONS } from "../../../../src/core/capability/revocation.ts";
import type { Ability } from "../../../../src/core/capability/abilities.ts";
import { alice, type TestIdentity } from "../../../fixtures/identities.ts";

export const NOW = 1_800_000_000;
export const HOUR = 3600;
export const pool: PoolId = derivePoolId(alice.did, new Uint8Array(16).fill(7));
export const otherPool: PoolId = derivePoolId(alice.did, new Uint8Array(16).fill(8));

export interface Grant {
  from: TestIdentity;
  to: { did: TestIdentity["did"] };
  can: Ability[];
  proof?: string;
  exp?: number;
  nbf?: number;
  invite?: InviteTerms;
  pool?: PoolId;
}

export const grant = (g: Grant): Promise<string> =>
  delegate({
    issuer: g.from.signingKey,
    audience: g.to.did,
    pool: g.pool ?? pool,
    abilities: g.can,
    expiration: g.exp ?? NOW + 24 * HOUR,
    notBefore: g.nbf,
    proof: g.proof,
    invite: g.invite,
  });

/** A query for `author` at NOW with no revocations; override what a test is about. */
export const query = (author: TestIdentity, proof: string | undefined, ability: Ability, extra: Partial<AuthorityQuery> = {}) => ({
  pool,
  root: alice.did,
  author: author.did,
  at: NOW,
  seq: 1,
  proof,
  revocations: NO_REVOCATIONS,
  ability,
  ...extra,
});

export const newAuthority = (maxDepth?: number) => new PoolAuthority(undefined, maxDepth);

/** Both signature paths: every attack must get the same verdict from each (one signature rule). */
export const AUTHORITIES: ReadonlyArray<readonly [string, (maxDepth?: number) => PoolAuthority]> = [
  ["WebCrypto", newAuthority],
  ["node:crypto's thread pool", nodePoolAuthority],
];
