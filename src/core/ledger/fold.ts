/**
 * The fold: ledger state as a pure function of a set of entries that passed stateless validation
 * (ledger/README.md, "Fold"). Set-level rules first (equivocation, time regression), then every
 * remaining entry in one canonical order through the authoriser and its kind's rule. Order of
 * arrival and duplicates cannot change the result; `Folder` adds entries incrementally when they
 * sort after everything already folded and refolds from its base otherwise (or, when it keeps no
 * entries, refuses them).
 */
import type { Did } from "../identity/did-key.ts";
import type { Authoriser } from "./authoriser.ts";
import { DeadlineQueue } from "./deadlines.ts";
import { covers, coversFrontier, lateRejection, uncoveredRejection, type Frontier } from "./finality.ts";
import { KIND_RULES, sortTimeOf } from "./kinds.ts";
import type { CheckpointContext } from "./rules/checkpoint.ts";
import { chainedRoot, ZERO_ROOT } from "./merkle.ts";
import { advanceEpoch } from "./params.ts";
import { severeStrike } from "./standing.ts";
import { cloneState, emptyState, stateHash, type LedgerState } from "./state.ts";
import type { EntryId, Rejection, SignedEntry } from "./types.ts";

export interface Equivocation {
  readonly author: Did;
  readonly seq: number;
  /** Every entry the author signed with this sequence number, sorted; all are rejected. */
  readonly ids: readonly EntryId[];
}

export interface FoldResult {
  readonly state: LedgerState;
  /** Entries refused by a set-level rule, the authoriser or their kind's rule, by id. */
  readonly rejected: ReadonlyMap<EntryId, Rejection>;
  readonly evidence: readonly Equivocation[];
  /** Entries left out because a trusted checkpoint already covers their time. */
  readonly skipped: number;
}

type SortKey = readonly [number, number, string, number];

/** An entry with its canonical sort key, computed once per entry rather than once per comparison. */
interface Keyed {
  readonly signed: SignedEntry;
  readonly key: SortKey;
}

const keyOf = ({ entry }: SignedEntry): SortKey => [sortTimeOf(entry), KIND_RULES[entry.kind].rank, entry.author, entry.seq];

function compareKeys(a: SortKey, b: SortKey): number {
  return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0) || a[3] - b[3];
}

const compareKeyed = (a: Keyed, b: Keyed): number => compareKeys(a.key, b.key);

function sortCanonically(entries: Iterable<SignedEntry>): Keyed[] {
  const keyed: Keyed[] = [];
  for (const signed of entries) keyed.push({ signed, key: keyOf(signed) });
  return keyed.sort(compareKeyed);
}

export interface FolderOptions {
  /**
   * Keep every added entry, so that one sorting before the folded ones can refold from the base
   * (default true). A caller that only ever appends in canonical order passes false: the Folder
   * then holds the state and not the history (a simulated pool's million entries), and an entry
   * that does not sort after the folded ones (a duplicate or an equivocating twin included) is
   * refused, never folded.
   */
  readonly retain?: boolean;
  /**
   * How checkpoints' state commitments are computed (default `stateHash`). Only the simulator
   * passes another: its one fold both writes and checks every checkpoint, so the hash of a
   * million-job state per simulated minute would be cost with no check in it (its cost model).
   */
  readonly hashState?: (state: LedgerState) => string;
}

/** What `Folder.add` did: folded every entry in order, rebuilt from the base, or refused the batch from an out-of-order entry on. */
export type AddOutcome = "appended" | "refolded" | "out-of-order";

const authorSeq = (signed: SignedEntry): string => `${signed.entry.author} ${signed.entry.seq}`;

/** An equivocating author's severe strike, folded where the last of its conflicting entries sorts. */
interface EquivocationStrike {
  readonly author: Did;
  readonly key: SortKey;
}

export class Folder {
  private readonly candidates = new Map<EntryId, SignedEntry>();
  private state!: LedgerState;
  private rejected!: Map<EntryId, Rejection>;
  private evidence!: Equivocation[];
  private skipped!: number;
  private segment!: EntryId[];
  /**
   * Every entry the fold took up (accepted or refused by its rule) since the last accepted
   * checkpoint: a refold tries a checkpoint without the ones it does not cover. Kept only when the
   * Folder keeps entries (without them there is no refold); the frontier is kept either way.
   */
  private window!: SignedEntry[];
  /** The window's frontier (author -> highest sequence taken up), kept as the fold goes. */
  private windowFrontier!: Map<string, number>;
  private deadlines!: DeadlineQueue;
  private strikes!: EquivocationStrike[];
  private lastKey: SortKey | undefined;
  private readonly authorMax = new Map<string, { seq: number; time: number }>();
  /** Read by a checkpoint's rule before it moves `state.checkpoint`; one object, not one per entry. */
  private readonly context: CheckpointContext = {
    coveredRoot: () => chainedRoot(this.state.checkpoint?.root ?? ZERO_ROOT, this.segment),
    coveredFrontier: () => Object.fromEntries(this.windowFrontier),
    hashState: stateHash,
  };

  private readonly retain: boolean;

  /** `base` is a trusted checkpoint's state (with the checkpoint applied), or genesis when absent. */
  constructor(
    private readonly authoriser: Authoriser,
    private readonly base: LedgerState = emptyState(),
    options: FolderOptions = {},
  ) {
    this.retain = options.retain ?? true;
    if (options.hashState) this.context.hashState = options.hashState;
    this.reset();
  }

  result(): FoldResult {
    return { state: this.state, rejected: this.rejected, evidence: this.evidence, skipped: this.skipped };
  }

  /** What a checkpoint written now would commit to (../rules/checkpoint.ts). */
  commitment(): { count: number; root: string; state: LedgerState; frontier: Frontier } {
    return { count: this.state.count, root: this.context.coveredRoot(), state: this.state, frontier: this.context.coveredFrontier() };
  }

  /**
   * Adds stateless-valid entries (duplicates are ignored). Entries that sort after everything
   * folded so far fold one by one; anything else rebuilds from the base, or, when the Folder keeps
   * no entries, is refused with the rest of the batch ("out-of-order"; the entries sorting before it
   * stay folded).
   */
  add(entries: Iterable<SignedEntry>): AddOutcome {
    const fresh = new Map<EntryId, SignedEntry>();
    for (const signed of entries) if (!this.candidates.has(signed.id)) fresh.set(signed.id, signed);
    // Tokens a writer attached: the fold can judge its own writer's entries without a document.
    for (const signed of fresh.values()) for (const token of signed.tokens ?? []) this.authoriser.tokens?.add(token);
    const sorted = sortCanonically(fresh.values());
    for (let i = 0; i < sorted.length; i++) {
      const keyed = sorted[i]!;
      if (!this.appendsCleanly(keyed)) {
        if (!this.retain) return "out-of-order";
        for (let j = i; j < sorted.length; j++) this.remember(sorted[j]!.signed);
        this.refold();
        return "refolded";
      }
      this.remember(keyed.signed);
      this.foldOne(keyed);
    }
    return "appended";
  }

  private appendsCleanly({ signed, key }: Keyed): boolean {
    const { author, seq, time } = signed.entry;
    const max = this.authorMax.get(author);
    const sortsLast = this.lastKey === undefined || compareKeys(key, this.lastKey) > 0;
    // A checkpoint that leaves folded entries uncovered makes them late: only a refold can take them out.
    if (signed.entry.kind === "checkpoint" && !coversFrontier(signed.entry, this.windowFrontier)) return false;
    const outsideBase = key[0] > (this.base.checkpoint?.through ?? -1) && !this.usedInBase(author, seq) && time >= this.baseTimeBefore(author, seq);
    return sortsLast && outsideBase && (!max || (seq > max.seq && time >= max.time));
  }

  private remember(signed: SignedEntry): void {
    if (this.retain) this.candidates.set(signed.id, signed);
    const { author, seq, time } = signed.entry;
    const max = this.authorMax.get(author);
    if (!max) this.authorMax.set(author, { seq, time });
    else {
      max.seq = Math.max(seq, max.seq);
      max.time = Math.max(time, max.time);
    }
  }

  private reset(): void {
    this.state = cloneState(this.base);
    this.rejected = new Map();
    this.evidence = [];
    this.skipped = 0;
    this.segment = [];
    this.window = [];
    this.windowFrontier = new Map();
    this.deadlines = DeadlineQueue.of(this.state);
    this.strikes = [];
    this.lastKey = undefined;
  }

  /**
   * Fails the jobs whose deadline is before `time` without an entry (a checkpoint writer calls it
   * with `through`: the fold does the same before it takes up the checkpoint).
   */
  expireBefore(time: number): void {
    this.deadlines.expireBefore(this.state, time);
  }

  /**
   * Folds every candidate from the base. Equivocation is only ever found here (a second entry
   * with a used sequence number never appends cleanly), and its severe strike folds in order.
   */
  private refold(): void {
    const trials = new Trials();
    while (!this.foldFromBase(trials));
  }

  /**
   * One pass from the base. A checkpoint that does not cover some entries of its window is tried
   * without them (finality.ts): the pass stops, and the next one leaves them out; if the
   * checkpoint is then refused after all, the next pass takes them back. False when a pass stopped.
   */
  private foldFromBase(trials: Trials): boolean {
    this.reset();
    const strikes = this.strikes.sort((x, y) => compareKeys(x.key, y.key));
    let next = 0;
    for (const keyed of sortCanonically(this.applySetRules([...this.candidates.values()]))) {
      while (next < strikes.length && compareKeys(strikes[next]!.key, keyed.key) < 0) this.strikeEquivocator(strikes[next++]!);
      const { signed } = keyed;
      const lateFor = trials.lateFor(signed.id);
      if (lateFor) {
        this.rejected.set(signed.id, uncoveredRejection(lateFor, signed));
        continue;
      }
      if (signed.entry.kind === "checkpoint" && !trials.decided(signed.id)) {
        const late = this.window.filter((s) => !covers(signed.entry, s.entry));
        if (late.length > 0) {
          trials.begin(signed, late);
          return false;
        }
      }
      const refused = this.foldOne(keyed);
      if (trials.pending(signed.id) && !trials.settle(signed.id, refused === undefined)) return false;
    }
    while (next < strikes.length) this.strikeEquivocator(strikes[next++]!);
    return true;
  }

  /**
   * Equivocation is a severe strike (ledger/README.md 8.7), derived from the evidence like every
   * penalty: it takes effect at the sort time of the author's last conflicting entry, as if that
   * entry had been folded, so the state still depends only on the set of entries.
   */
  private strikeEquivocator({ author, key }: EquivocationStrike): void {
    this.lastKey = key;
    this.expireBefore(key[0]);
    if (!this.state.pool) return;
    advanceEpoch(this.state, key[0]);
    severeStrike(this.state, author, "equivocation", key[0]);
  }

  /** Equivocation and time regression: decided on the whole set, before any entry is folded. */
  private applySetRules(all: SignedEntry[]): SignedEntry[] {
    const through = this.base.checkpoint?.through ?? -1;
    const groups = new Map<string, SignedEntry[]>();
    for (const signed of all) {
      if (sortTimeOf(signed.entry) <= through) {
        // Covered (already in the base) or late: either way not folded; a sequence number past
        // what the base holds cannot be covered.
        const covered = this.base.authors[signed.entry.author]?.seq;
        if (signed.entry.seq > (covered ?? 0)) this.rejected.set(signed.id, lateRejection(this.base.checkpoint!, signed, covered));
        else this.skipped++;
        continue;
      }
      if (this.usedInBase(signed.entry.author, signed.entry.seq)) {
        this.rejected.set(signed.id, { reason: "equivocation", message: `sequence ${signed.entry.seq} was already used before the trusted checkpoint` });
        continue;
      }
      const key = authorSeq(signed);
      groups.set(key, [...(groups.get(key) ?? []), signed]);
    }
    const single: SignedEntry[] = [];
    for (const group of groups.values()) {
      if (group.length === 1) {
        single.push(group[0]!);
        continue;
      }
      const ids = group.map((s) => s.id).sort();
      const { author, seq } = group[0]!.entry;
      this.evidence.push({ author, seq, ids });
      this.strikes.push({ author, key: group.map(keyOf).sort(compareKeys).at(-1)! });
      for (const id of ids) this.rejected.set(id, { reason: "equivocation", message: `${author} signed ${ids.length} different entries with sequence ${seq}` });
    }
    this.evidence.sort((a, b) => (a.author < b.author ? -1 : a.author > b.author ? 1 : a.seq - b.seq));
    return this.dropTimeRegressions(single);
  }

  /**
   * Whether the base already holds `author`'s sequence number `seq`. A checkpoint sorts at its
   * `through` (a revocation at its `from`) but is written later, so its author's entries written
   * in between sort after it with lower sequence numbers, and a full fold takes them. A base record
   * dated after `through` comes only from such an entry: below its sequence number the base holds
   * nothing of that author's after `through` (ledger/README.md 8.6).
   */
  private usedInBase(author: string, seq: number): boolean {
    const record = this.base.authors[author];
    if (!record || this.writtenBeforeBaseCheckpoint(record, seq)) return false;
    return seq <= record.seq;
  }

  /** The time `author`'s entry `seq` must not precede, from what the base holds before it. */
  private baseTimeBefore(author: string, seq: number): number {
    const record = this.base.authors[author];
    if (!record) return 0;
    return this.writtenBeforeBaseCheckpoint(record, seq) ? 0 : record.time;
  }

  private writtenBeforeBaseCheckpoint(record: { seq: number; time: number }, seq: number): boolean {
    const through = this.base.checkpoint?.through;
    return through !== undefined && record.time > through && seq < record.seq;
  }

  /** An author's entries, in sequence order, must not go back in time. */
  private dropTimeRegressions(entries: SignedEntry[]): SignedEntry[] {
    const ordered = [...entries].sort((a, b) => (a.entry.author < b.entry.author ? -1 : a.entry.author > b.entry.author ? 1 : a.entry.seq - b.entry.seq));
    const kept: SignedEntry[] = [];
    let author = "";
    let previous = 0;
    for (const signed of ordered) {
      if (signed.entry.author !== author) {
        author = signed.entry.author;
        previous = 0;
      }
      const latest = Math.max(previous, this.baseTimeBefore(author, signed.entry.seq));
      if (signed.entry.time < latest) {
        this.rejected.set(signed.id, { reason: "time-regression", message: `time ${signed.entry.time} is earlier than the author's previous entry (${latest})` });
        continue;
      }
      previous = signed.entry.time;
      kept.push(signed);
    }
    return kept;
  }

  private foldOne({ signed, key }: Keyed): Rejection | undefined {
    this.lastKey = key;
    this.expireBefore(key[0]);
    const rejection = this.decide(signed);
    if (rejection) {
      this.rejected.set(signed.id, rejection);
      this.takeUp(signed);
      return rejection;
    }
    recordFolded(this.state, signed);
    if (signed.entry.kind === "job.submit") this.deadlines.add(signed.id, signed.entry.body.deadline as number);
    this.segment.push(signed.id);
    if (signed.entry.kind === "checkpoint") {
      this.segment = [];
      this.window = [];
      this.windowFrontier = new Map();
    } else this.takeUp(signed);
    return undefined;
  }

  private takeUp(signed: SignedEntry): void {
    if (this.retain) this.window.push(signed);
    const { author, seq } = signed.entry;
    this.windowFrontier.set(author, Math.max(seq, this.windowFrontier.get(author) ?? 0));
  }

  private decide(signed: SignedEntry): Rejection | undefined {
    const rule = KIND_RULES[signed.entry.kind];
    if (rule.requires !== "genesis") {
      const allowed = this.authoriser.authorise(signed.entry, rule.requires, this.state);
      if (!allowed.ok) return { reason: allowed.reason, message: allowed.message };
    }
    // Epoch boundaries (self-tuning, pending parameters) are crossed by the first entry past them;
    // a checkpoint's commitment was computed without it, so checkpoints never cross one.
    if (signed.entry.kind !== "checkpoint") advanceEpoch(this.state, sortTimeOf(signed.entry));
    return rule.apply(this.state, signed, this.context);
  }
}

/**
 * The checkpoints tried without the entries they do not cover, during one refold. Each decision
 * is taken once, in fold order, so the passes end (at most two per such checkpoint).
 */
class Trials {
  private readonly late = new Map<EntryId, SignedEntry>();
  private readonly outcome = new Map<EntryId, boolean>();
  private readonly trying = new Map<EntryId, readonly EntryId[]>();

  lateFor(id: EntryId): SignedEntry | undefined {
    return this.late.get(id);
  }

  decided(checkpoint: EntryId): boolean {
    return this.outcome.has(checkpoint);
  }

  pending(checkpoint: EntryId): boolean {
    return this.trying.has(checkpoint) && !this.outcome.has(checkpoint);
  }

  begin(checkpoint: SignedEntry, late: readonly SignedEntry[]): void {
    for (const s of late) this.late.set(s.id, checkpoint);
    this.trying.set(checkpoint.id, late.map((s) => s.id));
  }

  /** Records whether the checkpoint was accepted without its late entries; false when they go back in (a new pass). */
  settle(checkpoint: EntryId, accepted: boolean): boolean {
    this.outcome.set(checkpoint, accepted);
    if (accepted) return true;
    for (const id of this.trying.get(checkpoint)!) this.late.delete(id);
    return false;
  }
}

/** Bookkeeping of every folded entry: count, the fold's clock, the author's latest sequence and time. */
export function recordFolded(state: LedgerState, { entry }: SignedEntry): void {
  state.count += 1;
  state.clock = Math.max(state.clock, sortTimeOf(entry));
  const seen = state.authors[entry.author];
  state.authors[entry.author] = { seq: Math.max(entry.seq, seen?.seq ?? 0), time: Math.max(entry.time, seen?.time ?? 0) };
}

/** The fold of a set of entries from genesis (or a trusted checkpoint's state), in one call. */
export function foldEntries(entries: Iterable<SignedEntry>, authoriser: Authoriser, base?: LedgerState): FoldResult {
  const folder = new Folder(authoriser, base);
  folder.add(entries);
  return folder.result();
}
