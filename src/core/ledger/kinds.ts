/**
 * The table of entry kinds (STYLE.md, "rules as data"): kind -> body schema, the ability its author
 * must hold, a stateless cross-field check, where it sorts, and its fold rule. Adding a kind is
 * adding a row (and its row in ledger/README.md).
 */
import type { Ability } from "../capability/abilities.ts";
import type { BodySchema } from "./schema.ts";
import type { LedgerState } from "./state.ts";
import type { Entry, Kind, Rejection, SignedEntry } from "./types.ts";
import { applyCheckpoint, checkCheckpoint, checkpointSchema, type CheckpointContext } from "./rules/checkpoint.ts";
import {
  applyJobClaim,
  applyJobSubmit,
  applyResultCommit,
  applyResultReveal,
  checkJobSubmit,
  checkReveal,
  jobClaimSchema,
  jobSubmitSchema,
  resultCommitSchema,
  resultRevealSchema,
} from "./rules/jobs.ts";
import { applyAuditResult, auditResultSchema, checkAuditResult } from "./rules/audit.ts";
import {
  applyMemberLeave,
  applyMemberReinstate,
  applyPoolParams,
  applyStakeDeposit,
  applyStakeGrant,
  applyStakeWithdraw,
  memberLeaveSchema,
  memberReinstateSchema,
  paramsSchema,
  stakeGrantSchema,
  stakeSchema,
} from "./rules/stake.ts";
import {
  applyInviteCreate,
  applyKeyComplaint,
  applyKeyGrant,
  applyKeyRotate,
  applyMemberRekey,
  checkKex,
  checkKeyRotate,
  inviteCreateSchema,
  keyComplaintSchema,
  keyGrantSchema,
  keyRotateSchema,
  memberRekeySchema,
} from "./rules/privacy.ts";
import { applyPoolNetwork, checkPoolNetwork, poolNetworkSchema } from "./rules/network.ts";
import { applyPoolAnonymous, poolAnonymousSchema } from "./rules/anonymous.ts";
import {
  applyMemberJoin,
  applyPoolCreate,
  applyPoolIssuer,
  applyRevoke,
  checkMemberJoin,
  checkPoolCreate,
  checkPoolIssuer,
  memberJoinSchema,
  poolCreateSchema,
  poolIssuerSchema,
  revokeSchema,
} from "./rules/membership.ts";

/**
 * Who may write a kind: an ability (held through the Authoriser), `"member"` (any current member;
 * the Authoriser decides the finer rule) or `"genesis"` (self-certifying: the pool id commits to
 * the author, see checkPoolCreate).
 */
export type Requirement = Ability | "member" | "genesis";

export type FoldRule = (state: LedgerState, signed: SignedEntry, context: CheckpointContext) => Rejection | undefined;

export interface KindRule {
  readonly schema: BodySchema;
  readonly requires: Requirement;
  /** Stateless checks across fields (and the entry header); a message when the body is invalid. */
  readonly check?: (entry: Entry) => string | undefined;
  /** The time the entry sorts at in the fold (default: its own time). */
  readonly sortTime?: (entry: Entry) => number;
  /** Rank among entries of equal sort time: checkpoints (1) come after everything else (0). */
  readonly rank: 0 | 1;
  readonly apply: FoldRule;
}

export const KIND_RULES: Readonly<Record<Kind, KindRule>> = {
  "pool.create": { schema: poolCreateSchema, requires: "genesis", check: checkPoolCreate, rank: 0, apply: applyPoolCreate },
  "member.join": { schema: memberJoinSchema, requires: "member/invite", check: (entry) => checkMemberJoin(entry) ?? checkKex(entry), rank: 0, apply: applyMemberJoin },
  // Open pools (issue 12): an admin lists a Privacy Pass issuer whose tokens admit strangers.
  "pool.issuer": { schema: poolIssuerSchema, requires: "pool/admin", check: checkPoolIssuer, rank: 0, apply: applyPoolIssuer },
  // An admin lets ephemeral keys submit jobs paid by the fund, one issuer token each.
  "pool.anonymous": { schema: poolAnonymousSchema, requires: "pool/admin", rank: 0, apply: applyPoolAnonymous },
  // Capability (issue 4): a revocation sorts at `from`, so every entry after that time is judged
  // against it, whenever it arrived (ledger/README.md, "Capabilities and revocation").
  "ucan.revoke": { schema: revokeSchema, requires: "member", sortTime: (entry) => (entry.body.from as number | undefined) ?? entry.time, rank: 0, apply: applyRevoke },
  "job.submit": { schema: jobSubmitSchema, requires: "job/submit", check: checkJobSubmit, rank: 0, apply: applyJobSubmit },
  "job.claim": { schema: jobClaimSchema, requires: "job/run", rank: 0, apply: applyJobClaim },
  "result.commit": { schema: resultCommitSchema, requires: "job/run", rank: 0, apply: applyResultCommit },
  "result.reveal": { schema: resultRevealSchema, requires: "job/run", check: checkReveal, rank: 0, apply: applyResultReveal },
  checkpoint: {
    schema: checkpointSchema,
    requires: "ledger/checkpoint",
    check: checkCheckpoint,
    sortTime: (entry) => entry.body.through as number,
    rank: 1,
    apply: applyCheckpoint,
  },
  // Private pools (rules/privacy.ts, docs/privacy.md).
  "key.rotate": { schema: keyRotateSchema, requires: "pool/admin", check: checkKeyRotate, rank: 0, apply: applyKeyRotate },
  "key.grant": { schema: keyGrantSchema, requires: "member/invite", rank: 0, apply: applyKeyGrant },
  "key.complaint": { schema: keyComplaintSchema, requires: "member", rank: 0, apply: applyKeyComplaint },
  "member.rekey": { schema: memberRekeySchema, requires: "member", check: checkKex, rank: 0, apply: applyMemberRekey },
  "invite.create": { schema: inviteCreateSchema, requires: "member/invite", rank: 0, apply: applyInviteCreate },
  // Incentives (issue 11, ledger/README.md 8.7-8.8). Staking and leaving are a worker's acts.
  "audit.result": { schema: auditResultSchema, requires: "job/audit", check: checkAuditResult, rank: 0, apply: applyAuditResult },
  "stake.deposit": { schema: stakeSchema, requires: "member", rank: 0, apply: applyStakeDeposit },
  "stake.withdraw": { schema: stakeSchema, requires: "member", rank: 0, apply: applyStakeWithdraw },
  "stake.grant": { schema: stakeGrantSchema, requires: "pool/admin", rank: 0, apply: applyStakeGrant },
  "member.leave": { schema: memberLeaveSchema, requires: "member", rank: 0, apply: applyMemberLeave },
  "member.reinstate": { schema: memberReinstateSchema, requires: "pool/admin", rank: 0, apply: applyMemberReinstate },
  "pool.params": { schema: paramsSchema, requires: "pool/admin", rank: 0, apply: applyPoolParams },
  // Direct peers (issue 14): the pool's STUN/TURN servers and whether members may connect directly.
  "pool.network": { schema: poolNetworkSchema, requires: "pool/admin", check: checkPoolNetwork, rank: 0, apply: applyPoolNetwork },
};

export const sortTimeOf = (entry: Entry): number => KIND_RULES[entry.kind].sortTime?.(entry) ?? entry.time;
