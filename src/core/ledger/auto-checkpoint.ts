/**
 * A node that holds ledger/checkpoint writes checkpoints on its own (ledger/README.md 8.6, "Who
 * writes checkpoints"), when ./checkpoint-policy.ts says one is due: after an invite deadline it
 * knows of, every `everyEntries` entries, or `everyMs` after the last one. The body is drafted like
 * `edgepool ledger checkpoint`'s (./checkpoint-writer.ts) and written through the node's one queue
 * of own entries, so it never shares a sequence number with the node's other writes. When
 * ./epoch-policy.ts says the current epoch document is big enough, the root's node also starts the
 * next one: its checkpoint names it (./epoch-follower.ts moves every node there, this one included),
 * or, in a private pool, it compacts (`startEpoch`: the same decision, another way to act on it).
 *
 * Two writers (the root and a delegate) are harmless: of two checkpoints drafted over the same
 * window, the fold accepts the first and refuses the second (its count and root no longer match),
 * and a refused checkpoint changes nothing.
 */
import type { Repo } from "@automerge/automerge-repo";
import type { Did } from "../identity/did-key.ts";
import { checkpointBody } from "./checkpoint-writer.ts";
import { decideCheckpoint, DEFAULT_CHECKPOINT_POLICY, type CheckpointDecision, type CheckpointPolicy } from "./checkpoint-policy.ts";
import { decideEpoch, DEFAULT_EPOCH_POLICY, epochSituation, type EpochDecision, type EpochPolicy } from "./epoch-policy.ts";
import type { Timer } from "./held-recheck.ts";
import { inviteDeadlines } from "./invite-deadlines.ts";
import type { Ledger } from "./ledger.ts";
import { UcanAuthoriser } from "./ucan-authoriser.ts";

/** How often the writer looks again without a reason to (recorded invites, the ability held). */
export const CHECKPOINT_LOOK_MS = 60_000;

/** A write's outcome; a refusal's reason and message go into the status. */
export type CheckpointWrite = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly message: string };

export interface CheckpointClock extends Timer {
  now(): number;
}

export interface AutoCheckpointOptions {
  readonly ledger: Ledger;
  readonly did: Did;
  /** The node's delegation (none for the root). */
  readonly proof: () => string | undefined;
  /** The node's queue of own entries (jobs/own-entries.ts). */
  readonly write: (kind: "checkpoint", body: Record<string, unknown>) => Promise<CheckpointWrite>;
  readonly clock: CheckpointClock;
  readonly policy?: Partial<CheckpointPolicy>;
  /** When the root's node starts the next epoch (./epoch-policy.ts). */
  readonly epochs?: Partial<EpochPolicy>;
  /**
   * How the root's node starts the next epoch when the policy says so. Default: the checkpoint it
   * writes names that epoch. A private pool's root compacts instead (privacy/private-epochs.ts:
   * the checkpoint travels with a key rotation, and the new key's document holds the start).
   */
  readonly startEpoch?: (time: number, settleMs: number) => Promise<CheckpointWrite>;
  /** The repo whose peers make this node connected (default the ledger's; a private pool's ledger repo has no network). */
  readonly network?: Repo;
  /** Defaults to CHECKPOINT_LOOK_MS. */
  readonly lookMs?: number;
}

/** What the writer last decided, and the outcome of its last write. */
export interface CheckpointStatus {
  readonly decision: CheckpointDecision | { readonly at: undefined; readonly reason: "not-permitted" };
  readonly written: number;
  readonly lastRefusal: string | undefined;
  /** Whether the last checkpoint written also started an epoch, and why (absent: none written, or not the root's node). */
  readonly epoch?: EpochDecision;
}

export interface AutoCheckpoints {
  status(): CheckpointStatus;
  close(): void;
}

export function checkpointAutomatically(options: AutoCheckpointOptions): AutoCheckpoints {
  const { ledger, clock } = options;
  const policy = { ...DEFAULT_CHECKPOINT_POLICY, ...options.policy };
  const epochs = { ...DEFAULT_EPOCH_POLICY, ...options.epochs };
  const lookMs = options.lookMs ?? CHECKPOINT_LOOK_MS;
  const repo: Repo = options.network ?? ledger.options.repo;
  const authoriser = new UcanAuthoriser();
  const peers = new Set<string>(repo.peers);
  let connectedSince = peers.size > 0 ? clock.now() : undefined;
  let deadlines: number[] = [];
  let lastWrite: number | undefined;
  let permitted: { readonly at: number; readonly held: boolean } | undefined;
  let status: CheckpointStatus = { decision: { at: undefined, reason: "idle" }, written: 0, lastRefusal: undefined };
  let pending: { cancel(): void } | undefined;
  let writing = false;
  let closed = false;

  const decide = (): CheckpointDecision => {
    const { state } = ledger;
    const sinceCheckpoint = state.count - (state.checkpoint ? state.checkpoint.count + 1 : 0);
    return decideCheckpoint({ now: clock.now(), created: state.pool?.created, lastThrough: state.checkpoint?.through, sinceCheckpoint, deadlines, connectedSince, lastWrite }, policy);
  };

  /** Whether this node holds ledger/checkpoint; looked up again at most every `lookMs` (a revocation may take it away). */
  const holdsAbility = async (): Promise<boolean> => {
    const now = clock.now();
    if (permitted && now - permitted.at < lookMs) return permitted.held;
    const held = await authoriser.holdings(options.did, options.proof(), ledger.state, now);
    permitted = { at: now, held: held.ok && held.grant.abilities.has("ledger/checkpoint") };
    return permitted.held;
  };

  const write = async (): Promise<void> => {
    writing = true;
    // Set first: whatever happens below, the next try waits `minGapMs`.
    lastWrite = clock.now();
    try {
      await ledger.settled();
      if (!(await holdsAbility())) return;
      const now = clock.now();
      // Only the root names epochs: a restarting node trusts only root-signed starts (epochs.ts, trustPoolRoot).
      const epoch = options.did === ledger.state.pool?.root ? decideEpoch(epochSituation(ledger), epochs) : undefined;
      const starting = epoch?.start ? epoch.epoch : undefined;
      const written = starting !== undefined && options.startEpoch ? await options.startEpoch(now, policy.settleMs) : await writeDrafted(now, starting);
      status = written.ok ? { ...status, written: status.written + 1, lastRefusal: undefined, ...(epoch ? { epoch } : {}) } : { ...status, lastRefusal: `${written.reason}: ${written.message}` };
    } catch (error) {
      status = { ...status, lastRefusal: `error: ${(error as Error).message}` };
    } finally {
      writing = false;
    }
  };

  const writeDrafted = async (now: number, epoch: number | undefined): Promise<CheckpointWrite> => {
    const drafted = checkpointBody(ledger, now, policy.settleMs, epoch);
    return drafted.ok ? options.write("checkpoint", drafted.body) : drafted;
  };

  const evaluate = (): void => {
    if (closed || writing) return;
    const now = clock.now();
    const decision = decide();
    const refusedAt = permitted && !permitted.held ? permitted.at : undefined;
    status = { ...status, decision: refusedAt === undefined ? decision : { at: undefined, reason: "not-permitted" } };
    let at = decision.at === undefined ? now + lookMs : Math.min(decision.at, now + lookMs);
    if (refusedAt !== undefined) at = Math.max(at, refusedAt + lookMs);
    pending?.cancel();
    pending = undefined;
    if (decision.at !== undefined && at <= now) void write().then(evaluate);
    else pending = clock.setTimeout(look, at - now);
  };

  // The recorded invites may change from another process sharing the storage (the CLI's `invite`).
  const look = (): void => {
    inviteDeadlines(ledger.options.storage, ledger.options.pool).then(
      (found) => {
        deadlines = found;
        evaluate();
      },
      () => evaluate(),
    );
  };

  const onPeer = ({ peerId }: { peerId: string }): void => {
    if (peers.size === 0) connectedSince = clock.now();
    peers.add(peerId);
    evaluate();
  };
  const onPeerGone = ({ peerId }: { peerId: string }): void => {
    peers.delete(peerId);
    if (peers.size === 0) connectedSince = undefined;
    evaluate();
  };
  repo.networkSubsystem.on("peer", onPeer);
  repo.networkSubsystem.on("peer-disconnected", onPeerGone);
  const unsubscribe = ledger.subscribe(evaluate);
  look();

  return {
    status: () => status,
    close() {
      closed = true;
      pending?.cancel();
      unsubscribe();
      repo.networkSubsystem.off("peer", onPeer);
      repo.networkSubsystem.off("peer-disconnected", onPeerGone);
    },
  };
}
