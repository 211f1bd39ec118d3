/**
 * A pool run through the real ledger with UCAN authorisation: alice creates it, invites, members
 * join through links and write entries. Entries go through the ledger's stateless validation
 * (which runs UcanAuthoriser.checkProof) and then its fold.
 */
import { createInvite, parseInviteLink, redeemInvite, type InviteLink, type Redemption } from "../../../src/core/capability/invite.ts";
import { ALL_ABILITIES, type Ability } from "../../../src/core/capability/abilities.ts";
import { UcanAuthoriser } from "../../../src/core/ledger/ucan-authoriser.ts";
import { foldEntries, type FoldResult } from "../../../src/core/ledger/fold.ts";
import { encodeState } from "../../../src/core/ledger/state.ts";
import type { PoolId, Rejection, SignedEntry } from "../../../src/core/ledger/types.ts";
import { validateEntry } from "../../../src/core/ledger/validate.ts";
import { createPool, EntryWriter } from "../../../src/core/ledger/writer.ts";
import { bytesToHex, utf8 } from "../../../src/core/crypto/index.ts";
import { alice, type TestIdentity } from "../../fixtures/identities.ts";

/** 2027-01-15T08:00:00Z, in ms (ledger) and s (UCAN). */
export const T0 = 1_800_000_000_000;
export const T0s = T0 / 1000;
export const HOUR_MS = 3_600_000;
export const SETTINGS = { name: "lab", replication: 1, rewardPerJob: 0, vestingSeconds: 60, leaseSeconds: 300 };

export interface Pool {
  readonly pool: PoolId;
  readonly genesis: SignedEntry;
  readonly alice: EntryWriter;
}

export async function newPool(): Promise<Pool> {
  const created = await createPool(alice, SETTINGS, new Uint8Array(16).fill(9), T0);
  return { pool: created.pool, genesis: created.entry, alice: created.writer };
}

export async function newInvite(pool: PoolId, options: { uses?: number; abilities?: Ability[]; joinBefore?: number } = {}): Promise<InviteLink> {
  const created = await createInvite({
    inviter: alice.signingKey,
    inviterProof: undefined,
    inviterHolds: new Set(ALL_ABILITIES),
    pool,
    abilities: options.abilities ?? ["job/run", "job/submit"],
    uses: options.uses ?? 1,
    joinBefore: options.joinBefore ?? T0s + 24 * 3600,
    memberExpiration: T0s + 30 * 24 * 3600,
    appUrl: "https://app.example/",
  });
  if (!created.ok) throw new Error(created.message);
  const parsed = parseInviteLink(created.link);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.invite;
}

export const inviteAndRedeem = async (pool: PoolId, joiner: TestIdentity, options: Parameters<typeof newInvite>[1] = {}): Promise<Redemption> =>
  redeem(await newInvite(pool, options), joiner);

export async function redeem(invite: InviteLink, joiner: TestIdentity): Promise<Redemption> {
  const redeemed = await redeemInvite(invite, joiner.did, T0s);
  if (!redeemed.ok) throw new Error(redeemed.message);
  return redeemed.redemption;
}

export const joinEntry = (writer: EntryWriter, joiner: TestIdentity, redemption: Redemption, time: number) =>
  writer.write("member.join", { member: joiner.did, abilities: [...redemption.abilities], invite: redemption.invite }, time, [redemption.proof]);

export const submitEntry = (writer: EntryWriter, time: number, proof: string | undefined, task = "task") =>
  writer.write("job.submit", { task, input: utf8("input"), replicas: 1, reward: 0, deadline: time + HOUR_MS }, time, proof ? [proof] : []);

export interface Judged extends FoldResult {
  /** Entries refused by stateless validation (bad proof, bad signature...), by id. */
  readonly refused: ReadonlyMap<string, Rejection>;
  /** Every refusal, stateless or in the fold. */
  reasonOf(entry: SignedEntry): string | undefined;
}

/** Validates every entry as a node would on receipt, then folds the valid ones. */
export async function judge(pool: PoolId, entries: readonly SignedEntry[], authoriser = new UcanAuthoriser()): Promise<Judged> {
  const context = { pool, authoriser, now: () => T0 + 1000 * HOUR_MS, skewMs: 120_000 };
  const refused = new Map<string, Rejection>();
  const valid: SignedEntry[] = [];
  // The delegations the entries name by CID travel in the document's tokens beside them.
  for (const signed of entries) for (const token of signed.tokens ?? []) authoriser.tokens.add(token);
  for (const signed of entries) {
    const result = await validateEntry(signed.bytes, context);
    if (result.ok) valid.push(result.signed);
    else refused.set(signed.id, { reason: result.reason, message: result.message });
  }
  const folded = foldEntries(valid, authoriser);
  const reasonOf = (entry: SignedEntry) => {
    const rejection = refused.get(entry.id) ?? folded.rejected.get(entry.id);
    return rejection && `${rejection.reason} ${rejection.message}`;
  };
  return { ...folded, refused, reasonOf };
}

export const stateBytes = (judged: FoldResult): string => bytesToHex(encodeState(judged.state));
