/**
 * Key-agreement keys where the seed is in software: a CLI node derives its own from its identity
 * seed (so it needs no second secret to back up), and an invite link's fragment secret derives
 * both the one-time invite did:key and the X25519 key that lockboxes for the invite are sealed to.
 * Each is its own HKDF label, so neither key says anything about the other.
 */
import { kexKeyPairFromSeed, seedSigningKey, type KexKeyPair } from "../crypto/index.ts";
import { didFromPublicKey } from "../identity/did-key.ts";
import type { KeyHolder } from "./key-discovery.ts";

export const memberKex = (seed: Uint8Array): KexKeyPair => kexKeyPairFromSeed(seed, "edgepool/member-kex/v1");

/** The invite key (its DID is the delegation's audience) and its key-agreement key, from the link's secret. */
export const inviteHolder = (seed: Uint8Array): KeyHolder => ({
  did: didFromPublicKey(seedSigningKey(seed).publicKey),
  kex: kexKeyPairFromSeed(seed, "edgepool/invite-kex/v1"),
});
