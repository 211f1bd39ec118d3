/**
 * The pool authority as Node's composition roots build it: chain signatures verified through
 * node:crypto on libuv's thread pool (`verifyNode`, the fastest verify API in Node here), so a
 * cold chain check uses every core. The browser keeps the default (WebCrypto, or noble).
 */
import { verifyNode } from "../crypto/ed25519-node.ts";
import { PoolAuthority } from "./authority.ts";
import { TokenVerifier } from "./chain.ts";

export const nodePoolAuthority = (maxDepth?: number): PoolAuthority => new PoolAuthority(new TokenVerifier({ verify: verifyNode }), maxDepth);
