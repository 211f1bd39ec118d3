/**
 * The joiner's side of Privacy Pass issuance (RFC 9578, 6.1): blind a fresh nonce for a challenge,
 * send the request to the issuer, unblind its response into a token. The issuer never sees the
 * token it signed, so redeeming it does not tell the pool who the issuer vouched for.
 */
import { publicVerif, TokenChallenge } from "@cloudflare/privacypass-ts";

export interface BlindTokenRequest {
  /** The serialised TokenRequest to POST to the issuer (application/private-token-request). */
  readonly request: Uint8Array;
  /** Unblinds the issuer's TokenResponse into the serialised token. */
  readonly finalize: (response: Uint8Array) => Promise<Uint8Array>;
}

export async function blindTokenRequest(challenge: Uint8Array, issuerSpki: Uint8Array): Promise<BlindTokenRequest> {
  const client = new publicVerif.Client(publicVerif.BlindRSAMode.PSS);
  const request = await client.createTokenRequest(TokenChallenge.deserialize(challenge), issuerSpki);
  return {
    request: request.serialize(),
    finalize: async (response) => (await client.finalize(publicVerif.TokenResponse.deserialize(response))).serialize(),
  };
}
