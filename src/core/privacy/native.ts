/**
 * The parts of a private pool that each platform runs natively, with the same bytes everywhere:
 * browsers use WebCrypto, web streams and noble (the default); Node's nodes pass `nodePrivacy`
 * (native-node.ts: node:crypto and node:zlib, several times less CPU per lockbox and per envelope).
 */
import { hpkeSeal, nobleAead, sha256, type Aead, type HpkeSeal } from "../crypto/index.ts";
import { streamDeflater, type Deflater } from "./deflate.ts";

export interface PrivacyNative {
  /** Deflates batches before sealing and inflates them after opening. */
  readonly deflater: Deflater;
  /** Seals and opens envelopes (XChaCha20-Poly1305). */
  readonly aead: Aead;
  /** Names envelopes (SHA-256 of their bytes). */
  readonly sha256: (bytes: Uint8Array) => Uint8Array;
  /** Wraps epoch keys in lockboxes. */
  readonly hpkeSeal: HpkeSeal;
}

export const webPrivacy: PrivacyNative = { deflater: streamDeflater, aead: nobleAead, sha256, hpkeSeal };
