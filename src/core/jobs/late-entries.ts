/**
 * This node's own entries that a checkpoint made late (ledger/README.md 8.6, "Finality"): written
 * while the node was offline and dated into a window that became final meanwhile, they are
 * refused `before-checkpoint` on every node. The node writes each again with a current time and a
 * new sequence number, through its one queue of own entries, so offline work is not lost.
 *
 * Only entries that carry a person's intent are written again (the table below). A worker's
 * claims, commits and reveals are not: its loop reads from the fold that a step did not count
 * and takes it again (worker.ts). The replacement is recognised by its content, not by memory, so
 * a restarted node neither forgets nor repeats one: an own entry of the same kind and intent that
 * sorts after the checkpoint that made the original late. (Two identical intents, one made late
 * and the other written after that checkpoint, count as one: a known limit.)
 */
import { bytesToHex } from "../crypto/index.ts";
import { canonicalEncode } from "../ledger/codec.ts";
import type { Did } from "../identity/did-key.ts";
import { sortTimeOf } from "../ledger/kinds.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { LedgerState } from "../ledger/state.ts";
import type { EntryId, Kind, SignedEntry } from "../ledger/types.ts";
import type { OwnEntries, OwnEntryRequest } from "./own-entries.ts";

type Body = Record<string, unknown>;

interface Renewal {
  /** The body to write again at `time`, or undefined when it no longer makes sense. */
  renew(body: Body, time: number, state: LedgerState): Body | undefined;
  /** What makes two entries of the kind the same intent. */
  intent(body: Body): string;
}

const sameBody: Renewal = { renew: (body) => body, intent: (body) => bytesToHex(canonicalEncode(body)) };

const RENEWALS: Partial<Record<Kind, Renewal>> = {
  // A job whose deadline passed meanwhile would fail at once: it stays refused (its submitter sees "refused").
  "job.submit": { renew: (body, time) => ((body.deadline as number) > time ? body : undefined), intent: sameBody.intent },
  // A revocation reaches back only to after the checkpoint that is final now (its honoured cut stays).
  "ucan.revoke": {
    renew: (body, _time, state) => (body.from === undefined ? body : { ...body, from: Math.max(body.from as number, (state.checkpoint?.through ?? 0) + 1) }),
    intent: (body) => String(body.target),
  },
  "member.join": sameBody,
  "member.leave": sameBody,
  "member.reinstate": sameBody,
  "stake.deposit": sameBody,
  "stake.withdraw": sameBody,
  "stake.grant": sameBody,
};

export interface LateEntries {
  /** Own late entries of a renewable kind that nothing replaces yet, in sequence order. */
  readonly pending: readonly SignedEntry[];
  /** Late entry id -> the own entry written in its place. */
  readonly replaced: ReadonlyMap<EntryId, EntryId>;
}

const NONE: LateEntries = { pending: [], replaced: new Map() };

/** The `through` of the earliest accepted checkpoint at or after `time` (the one that made an entry of that time late). */
function finalThrough(accepted: readonly number[], state: LedgerState, time: number): number {
  return accepted.find((through) => through >= time) ?? state.checkpoint?.through ?? time;
}

/**
 * `did`'s entries that `ledger` refuses as late, and which of them a later own entry replaces.
 * `settled` (late entries already dealt with -> their replacement, if any) are left out before the
 * scan of every entry.
 */
export function lateEntries(ledger: Ledger, did: Did, settled: ReadonlyMap<string, EntryId | undefined> = new Map()): LateEntries {
  const view = ledger.view();
  const late = view.invalid
    .filter((i) => i.reason === "before-checkpoint" && !settled.has(i.key))
    .map((i) => ledger.entry(i.key as EntryId))
    .filter((s): s is SignedEntry => s !== undefined && s.entry.author === did && RENEWALS[s.entry.kind] !== undefined)
    .sort((a, b) => a.entry.seq - b.entry.seq);
  if (late.length === 0) return NONE;
  const refused = new Set(view.invalid.map((i) => i.key));
  const entries = ledger.entries();
  const accepted = entries.filter((s) => s.entry.kind === "checkpoint" && !refused.has(s.id)).map((s) => sortTimeOf(s.entry)).sort((a, b) => a - b);
  const own = entries.filter((s) => s.entry.author === did).sort((a, b) => a.entry.seq - b.entry.seq);
  const used = new Set<EntryId | undefined>(settled.values());
  const pending: SignedEntry[] = [];
  const replaced = new Map<EntryId, EntryId>();
  for (const original of late) {
    const { intent } = RENEWALS[original.entry.kind]!;
    const wanted = intent(original.entry.body);
    const after = finalThrough(accepted, view.state, sortTimeOf(original.entry));
    const replacement = own.find(
      (s) => s.entry.seq > original.entry.seq && s.entry.kind === original.entry.kind && !used.has(s.id) && sortTimeOf(s.entry) > after && intent(s.entry.body) === wanted,
    );
    if (replacement) {
      used.add(replacement.id);
      replaced.set(original.id, replacement.id);
    } else pending.push(original);
  }
  return { pending, replaced };
}

/** The entry that stands for `id` now: `id`, or what was written in its place (and in that one's place). */
export function currentEntry(ledger: Ledger, did: Did, id: EntryId): EntryId {
  const { replaced } = lateEntries(ledger, did);
  let current = id;
  for (let next = replaced.get(current); next !== undefined; next = replaced.get(current)) current = next;
  return current;
}

export interface LateEntryRenewal {
  close(): void;
}

/**
 * Writes this node's late entries again whenever the ledger shows some, in sequence order, as one
 * batch. The new time is after the latest checkpoint even when this node's clock lags the writer's.
 */
export function renewLateEntries(ledger: Ledger, own: OwnEntries, now: () => number): LateEntryRenewal {
  /** Late entries replaced, or that cannot be renewed (e.g. a job past its deadline): not looked at again. */
  const settled = new Map<string, EntryId | undefined>();
  let running = false;
  let again = false;
  let closed = false;
  const renew = async (): Promise<void> => {
    const { pending, replaced } = lateEntries(ledger, own.did, settled);
    for (const [id, replacement] of replaced) settled.set(id, replacement);
    const state = ledger.state;
    const notBefore = Math.max(now(), (state.checkpoint?.through ?? 0) + 1);
    const requests: OwnEntryRequest[] = [];
    for (const late of pending) {
      const body = RENEWALS[late.entry.kind]!.renew(late.entry.body, notBefore, state);
      if (body === undefined) settled.set(late.id, undefined);
      else requests.push({ kind: late.entry.kind, body, notBefore });
    }
    if (requests.length > 0) await own.writeMany(requests);
  };
  const check = (): void => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    void renew()
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          check();
        }
      });
  };
  const unsubscribe = ledger.subscribe(check);
  check();
  return {
    close() {
      closed = true;
      unsubscribe();
    },
  };
}
