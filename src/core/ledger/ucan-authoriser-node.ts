/**
 * The ledger's authoriser as Node's composition roots build it: UCAN chains and join tokens
 * checked through node:crypto (the fastest verify APIs here). The browser builds UcanAuthoriser
 * with its portable defaults.
 */
import { nodePoolAuthority } from "../capability/authority-node.ts";
import { verifyRsaPssSha384Node } from "../crypto/rsa-pss-node.ts";
import { UcanAuthoriser } from "./ucan-authoriser.ts";

export const nodeUcanAuthoriser = (): UcanAuthoriser => new UcanAuthoriser(nodePoolAuthority(), undefined, verifyRsaPssSha384Node);
