/** Node's `PrivacyNative` (native.ts): what the CLI's private pools run on. */
import { hpkeSealNode } from "../crypto/hpke-node.ts";
import { nodeDeflater } from "./deflate-node.ts";
import type { PrivacyNative } from "./native.ts";

export const nodePrivacy: PrivacyNative = { deflater: nodeDeflater, hpkeSeal: hpkeSealNode };
