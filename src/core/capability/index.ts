/** Capabilities: pools, UCAN delegation chains, invites and revocation (DESIGN.md, "Capabilities"). */
export * from "./abilities.ts";
export * from "./pool.ts";
export * from "./refusal.ts";
export * from "./token.ts";
export * from "./chain.ts";
export * from "./issue.ts";
export * from "./pool-chain.ts";
export * from "./revocation.ts";
export * from "./authority.ts";
export * from "./invite.ts";
