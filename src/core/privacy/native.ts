/**
 * The parts of a private pool that each platform runs natively, with the same bytes everywhere:
 * browsers use WebCrypto and web streams (the default); Node's nodes pass `nodePrivacy`
 * (native-node.ts: node:crypto and node:zlib, several times less CPU per lockbox and per envelope).
 */
import { hpkeSeal, type HpkeSeal } from "../crypto/index.ts";
import { streamDeflater, type Deflater } from "./deflate.ts";

export interface PrivacyNative {
  /** Deflates batches before sealing and inflates them after opening. */
  readonly deflater: Deflater;
  /** Wraps epoch keys in lockboxes. */
  readonly hpkeSeal: HpkeSeal;
}

export const webPrivacy: PrivacyNative = { deflater: streamDeflater, hpkeSeal };
