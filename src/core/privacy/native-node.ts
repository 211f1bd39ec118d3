/** Node's `PrivacyNative` (native.ts): what the CLI's private pools run on. */
import { nodeAead } from "../crypto/aead-node.ts";
import { sha256Node } from "../crypto/hash-node.ts";
import { hpkeSealNode } from "../crypto/hpke-node.ts";
import { nodeDeflater } from "./deflate-node.ts";
import type { PrivacyNative } from "./native.ts";

export const nodePrivacy: PrivacyNative = { deflater: nodeDeflater, aead: nodeAead, sha256: sha256Node, hpkeSeal: hpkeSealNode };
