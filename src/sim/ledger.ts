/**
 * The simulated pool's ledger: entries built by simulated authors, carried by a network model
 * (delay, loss), folded by the REAL fold (src/core/ledger/fold.ts) with the real kind rules and
 * schema checks. Four things are replaced by a cost model, as issue 9 allows: signatures (each
 * entry counts one signature and one verification per reader; `sig` is zeros), UCAN chains (the
 * member-list authoriser, member-list-authoriser.ts), Automerge sync (an entry reaches the pool
 * after a sampled delay, or never when lost) and checkpoints' state hashes (`simulatedStateHash`:
 * the one fold here both writes and checks each checkpoint, so hashing the whole state, a million
 * jobs, every simulated minute would be cost with no check in it; the rest of the checkpoint rule,
 * count, Merkle root, frontier, forgetting and the spot-check draw, is the real one).
 *
 * Ordering: the fold is order-independent, but appending in canonical order is the fast path, and
 * the only one here: the Folder keeps no entries (a refold from genesis would need them all), so
 * the ledger holds the state, not a million entries of history. Every delivered entry arrives within the sync
 * horizon H, so the simulator folds, at virtual time t, exactly the entries stamped at or before
 * t - H: nothing can still arrive for that past, and each batch sorts after the last. An entry
 * that would take longer than H counts as lost (a node gave up re-sending it), which is the case
 * leases exist for.
 */
import { entryIdOf } from "../core/ledger/codec.ts";
import { Folder } from "../core/ledger/fold.ts";
import { KIND_RULES } from "../core/ledger/kinds.ts";
import { checkpointedState } from "../core/ledger/rules/checkpoint.ts";
import { checkBody } from "../core/ledger/schema.ts";
import type { LedgerState, PoolSettingsState } from "../core/ledger/state.ts";
import { ENTRY_VERSION, type Entry, type EntryId, type Kind, type PoolId, type Rejection, type SignedEntry } from "../core/ledger/types.ts";
import { derivePoolId } from "../core/capability/pool.ts";
import type { Did } from "../core/identity/did-key.ts";
import { hexToBytes, utf8 } from "../core/crypto/index.ts";
import { memberListAuthoriser } from "./member-list-authoriser.ts";
import { checkJoinStamp, type JoinStamp } from "../core/capability/join-stamp.ts";
import { epochOf } from "../core/ledger/params.ts";
import { sample, type Distribution, type Rng } from "./random.ts";

export interface NetworkModel {
  /** How long an entry takes to reach the pool. */
  readonly delay: Distribution;
  /** The sync horizon H: later than this and the entry is lost. Readers see the ledger as of now - H. */
  readonly horizonMs: number;
  /** Chance an entry is lost outright. */
  readonly loss: number;
}

export interface LedgerStats {
  written: number;
  lost: number;
  folded: number;
  rejected: Record<string, number>;
  /** Entries whose body the real schema refused (a simulator bug if ever non-zero). */
  badBody: number;
  foldMs: number;
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const ZERO_SIG = new Uint8Array(64);
const NO_BYTES = new Uint8Array(0);
/** A checkpoint's stand-in state commitment: the number of entries the fold counted (32 bytes, hex). */
const simulatedStateHash = (state: LedgerState): string => state.count.toString(16).padStart(64, "0");
/** Simulated members hold their abilities by the member list: no entry names a proof (one shared, read-only list). */
const NO_PROOF: readonly string[] = Object.freeze([]);

export class SimLedger {
  readonly pool: PoolId;
  readonly stats: LedgerStats = { written: 0, lost: 0, folded: 0, rejected: {}, badBody: 0, foldMs: 0 };
  private readonly folder = new Folder(memberListAuthoriser, undefined, { retain: false, hashState: simulatedStateHash });
  /** The folder's state, read after each `add` (the state is read far more often than folded). */
  private folded = this.folder.result().state;
  private readonly seqs = new Map<Did, number>();
  private pending: SignedEntry[] = [];
  private head = 0;
  private counter = 0;
  private seen = 0;
  private view = -Infinity;
  /** The latest time the root stamped an entry (a re-entrant member's join can still be travelling). */
  private rootWrittenAt = -Infinity;
  private stampBits = 0;
  private readonly listeners: Array<(batch: readonly SignedEntry[]) => void> = [];
  /** Character codes of the per-run base id; `nextId` writes the counter's digits into them. */
  private readonly idCodes: number[];

  constructor(
    readonly root: Did,
    nonce: Uint8Array,
    private readonly network: NetworkModel,
    private readonly rng: Rng,
    idPrefix: string,
  ) {
    this.pool = derivePoolId(root, nonce);
    const baseId = entryIdOf(utf8(`edgepool/sim/${idPrefix}`));
    this.idCodes = Array.from(baseId, (c) => c.charCodeAt(0));
  }

  get state(): LedgerState {
    return this.folded;
  }

  /** The time the fold has reached: every delivered entry stamped at or before it is folded. */
  get foldedThrough(): number {
    return this.view;
  }

  get horizonMs(): number {
    return this.network.horizonMs;
  }

  /** Calls `listener` with every batch folded (the benchmark refolds them on a bare Folder). */
  observe(listener: (batch: readonly SignedEntry[]) => void): void {
    this.listeners.push(listener);
  }

  /** The refusal the fold gave an entry, if it refused it. */
  rejectionOf(id: EntryId): Rejection | undefined {
    return this.folder.result().rejected.get(id);
  }

  /** The genesis entry; always delivered (the pool does not exist without it). `stampBits`: an open pool. */
  create(nonce: Uint8Array, settings: PoolSettingsState, time: number, stampBits?: number): void {
    this.write(this.root, "pool.create", { nonce, settings, ...(stampBits !== undefined ? { open: { stampBits } } : {}) }, time, { reliable: true });
    this.stampBits = stampBits ?? 0;
  }

  /**
   * A stranger's own `member.join` in an open pool, paid with a stamp for the epoch of `time`
   * (always delivered: a joiner re-sends until it is in). The fold checks the stamp's hash and
   * applies the join cap; `since` in the state says when the stranger is admitted.
   */
  joinStranger(member: Did, time: number): void {
    const subject = { pool: this.pool, did: member };
    const epoch = epochOf(time);
    let stamp: JoinStamp;
    // Solving by counting up: the pool's difficulty is low here (the cost model leaves work out).
    for (let n = 0; ; n++) {
      stamp = { epoch, nonce: n.toString(16).padStart(16, "0") };
      if (checkJoinStamp(stamp, subject, this.stampBits, epoch).ok) break;
    }
    this.write(member, "member.join", { member, abilities: ["job/run", "job/submit"], stamp }, time, { reliable: true, unchecked: true });
  }

  /**
   * Adds a member at setup (always delivered). Its body is not schema-checked: simulated members'
   * keys are random bytes, and the did:key check would refuse about half of them as not on the
   * curve; key checks belong to the signature cost model.
   */
  join(member: Did, time: number, abilities: readonly string[] = ["job/run", "job/submit"]): void {
    this.write(this.root, "member.join", { member, abilities: [...abilities] }, time, { reliable: true, unchecked: true });
  }

  /**
   * Builds, checks and sends one entry; returns its id. The body goes through the kind's real
   * schema and cross-field check; `reliable` skips the loss model (a writer that re-sends until
   * the pool has it).
   */
  write(author: Did, kind: Kind, body: Record<string, unknown>, time: number, options: { reliable?: boolean; unchecked?: boolean } = {}): EntryId {
    const seq = (this.seqs.get(author) ?? 0) + 1;
    this.seqs.set(author, seq);
    const entry: Entry = { v: ENTRY_VERSION, kind, pool: this.pool, author, seq, time, body, proof: NO_PROOF, sig: ZERO_SIG };
    const rule = KIND_RULES[kind];
    if (!options.unchecked && (checkBody(rule.schema, body) ?? rule.check?.(entry)) !== undefined) this.stats.badBody++;
    if (author === this.root) this.rootWrittenAt = Math.max(this.rootWrittenAt, time);
    const id = this.nextId();
    this.stats.written++;
    const delivered = options.reliable || (!this.rng.chance(this.network.loss) && sample(this.rng, this.network.delay) <= this.network.horizonMs);
    if (delivered) this.pending.push({ id, bytes: NO_BYTES, entry });
    else this.stats.lost++;
    return id;
  }

  /**
   * Ids stand for the hash of the signed bytes: unique, and real CIDs (a per-run base id with ten
   * base32 digits of its digest replaced by a counter; hashing each entry cost more than folding it).
   */
  private nextId(): EntryId {
    let n = this.counter++;
    for (let i = 0; i < 10; i++) {
      this.idCodes[9 + i] = BASE32.charCodeAt(n % 32);
      n = Math.floor(n / 32);
    }
    // One flat string: concatenation would leave a rope of three strings per id, and the fold keeps
    // every id since the last checkpoint (its Merkle segment).
    return String.fromCharCode.apply(null, this.idCodes) as EntryId;
  }

  /** Folds every delivered entry stamped at or before `through`; returns them in canonical order. */
  advance(through: number): SignedEntry[] {
    this.view = through;
    let end = this.head;
    while (end < this.pending.length && this.pending[end]!.entry.time <= through) end++;
    if (end === this.head) return [];
    const batch = this.pending.slice(this.head, end);
    this.head = end;
    // Folded entries leave the queue (in steps: slicing each tick would copy it each tick).
    if (this.head > 4_096 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    const started = performance.now();
    const added = this.folder.add(batch);
    this.folded = this.folder.result().state;
    this.stats.foldMs += performance.now() - started;
    if (added !== "appended") throw new Error("simulator bug: a batch did not sort after the folded entries");
    this.stats.folded += batch.length;
    this.countRejections(batch);
    for (const listener of this.listeners) listener(batch);
    return batch;
  }

  /**
   * The root's checkpoint through `through` (what it has folded), written at `through + 1` and
   * folded at once: the simulator's pools checkpoint as often as the hidden spot checks of single
   * runs need a seed (ledger/README.md 8.7). Call it right after `advance(through)`. Returns false
   * (no checkpoint) while an entry the root stamped after `through` is still travelling: the
   * checkpoint would take a higher sequence number at an earlier time (a time regression).
   */
  checkpoint(through: number): boolean {
    if (this.rootWrittenAt > through) return false;
    this.folder.expireBefore(through);
    const { count, root, state, frontier } = this.folder.commitment();
    const body = { through, count, root: hexToBytes(root), state: hexToBytes(simulatedStateHash(checkpointedState(state, through))), frontier };
    const seq = (this.seqs.get(this.root) ?? 0) + 1;
    this.seqs.set(this.root, seq);
    const entry: Entry = { v: ENTRY_VERSION, kind: "checkpoint", pool: this.pool, author: this.root, seq, time: through + 1, body, proof: NO_PROOF, sig: ZERO_SIG };
    const started = performance.now();
    const added = this.folder.add([{ id: this.nextId(), bytes: NO_BYTES, entry }]);
    this.folded = this.folder.result().state;
    if (added !== "appended") throw new Error("simulator bug: a checkpoint did not sort after the folded entries");
    this.stats.foldMs += performance.now() - started;
    this.rootWrittenAt = through + 1;
    this.stats.written++;
    this.stats.folded++;
    return true;
  }

  private countRejections(batch: readonly SignedEntry[]): void {
    const { rejected } = this.folder.result();
    if (rejected.size === this.seen) return;
    this.seen = rejected.size;
    for (const signed of batch) {
      const rejection = rejected.get(signed.id);
      if (rejection) this.stats.rejected[`${signed.entry.kind}:${rejection.reason}`] = (this.stats.rejected[`${signed.entry.kind}:${rejection.reason}`] ?? 0) + 1;
    }
  }
}
