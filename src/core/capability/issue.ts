/**
 * Issuing delegations with @ucans/core, through a did:key plugin backed by src/core/crypto (the
 * stock @ucans/default-plugins verifies with a pure-JS Ed25519 that accepts a non-canonical S).
 */
import * as ucans from "@ucans/core";
import { base64url } from "multiformats/bases/base64";
import { randomBytes, verify, type SigningKey } from "../crypto/index.ts";
import { didFromPublicKey, parseDidKey, type Did } from "../identity/did-key.ts";
import { poolResource, type Ability } from "./abilities.ts";
import type { PoolId } from "./pool.ts";

/** did:key Ed25519 for @ucans/core, verifying under EdgePool's one signature rule. */
export const didKeyPlugin: ucans.DidKeyPlugin = {
  prefix: Uint8Array.from([0xed, 0x01]),
  jwtAlg: "EdDSA",
  verifySignature: async (did, data, signature) => {
    const parsed = parseDidKey(did);
    return parsed.ok && (await verify(parsed.publicKey, data, signature)).ok;
  },
};

export const ucanPlugins = new ucans.Plugins([didKeyPlugin], {});
/** @ucans/core's API (build, sign, validate, verify) with our plugin injected. */
export const ucanApi = ucans.getPluginInjectedApi(ucanPlugins);

/** The invite terms carried as a fact on an invite key's delegation. */
export interface InviteTerms {
  /** How many joiners may redeem the link (counted by the ledger fold over member.join entries). */
  readonly uses: number;
  /** Seconds: a member.join later than this is refused (the link has expired). */
  readonly joinBefore: number;
}

export const INVITE_FACT = "edgepool/invite";

export interface DelegationRequest {
  readonly issuer: SigningKey;
  readonly audience: Did;
  readonly pool: PoolId;
  readonly abilities: readonly Ability[];
  /** Seconds since the epoch. */
  readonly expiration: number;
  readonly notBefore?: number;
  /** The issuer's own delegation (absent when the issuer is the pool root). */
  readonly proof?: string;
  readonly invite?: InviteTerms;
  /** The token's nonce; random when absent (fixed bytes make a reproducible token, for test vectors). */
  readonly nonce?: Uint8Array;
}

/** Signs a delegation and returns it encoded (JWT form). */
export async function delegate(request: DelegationRequest): Promise<string> {
  const resource = ucans.capability.resourcePointer.parse(poolResource(request.pool));
  const payload = ucans.buildPayload({
    issuer: didFromPublicKey(request.issuer.publicKey),
    audience: request.audience,
    capabilities: request.abilities.map((can) => ({ with: resource, can: ucans.ability.parse(can) })),
    expiration: request.expiration,
    notBefore: request.notBefore,
    facts: request.invite ? [{ [INVITE_FACT]: { uses: request.invite.uses, joinBefore: request.invite.joinBefore } }] : undefined,
    proofs: request.proof ? [request.proof] : [],
  });
  // A random nonce makes two otherwise equal delegations distinct tokens, so revoking one never
  // revokes the other (@ucans/core's own nonce uses Math.random).
  payload.nnc = base64url.baseEncode(request.nonce ?? randomBytes(12));
  const signed = await ucanApi.sign(payload, "EdDSA", (data) => request.issuer.sign(data));
  return ucans.encode(signed);
}
