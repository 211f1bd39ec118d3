/**
 * Why a capability check said no. Every refusal carries one typed reason (for code, logs and the
 * UI's reason codes, UX.md 9) and one sentence for people (DESIGN.md, "Capabilities").
 */
export type RefusalReason =
  /** Not a well-formed UCAN 0.8.1 token (encoding, header, payload or capability syntax). */
  | "malformed"
  /** A `ucv` other than the one we speak (0.8.1), in the token or in one of its proofs. */
  | "unsupported-version"
  /** A signature that fails EdgePool's signature rule (ledger/README.md, "Signatures"). */
  | "bad-signature"
  | "expired"
  | "not-yet-valid"
  /** A delegation whose time window is not inside its proof's (it outlives or predates it). */
  | "outlives-proof"
  /** A link's issuer is not the audience of its proof, or the leaf is not addressed to the author. */
  | "wrong-audience"
  /** A delegation grants more than its issuer holds, or its issuer may not delegate at all. */
  | "escalation"
  /** The chain holds, but not the ability that was asked for. */
  | "not-granted"
  | "revoked"
  /** The chain does not start at the pool's root DID. */
  | "wrong-root"
  | "too-deep"
  /** A capability names another pool's resource. */
  | "wrong-pool"
  /** A `prf:N` capability points past the end of the proofs. */
  | "missing-proof"
  /** An invite link whose join deadline has passed. */
  | "invite-expired"
  /** An invite link used as many times as it allows. */
  | "invite-used-up";

export interface Refusal {
  readonly ok: false;
  readonly reason: RefusalReason;
  readonly message: string;
}

export const refuse = (reason: RefusalReason, message: string): Refusal => ({ ok: false, reason, message });
