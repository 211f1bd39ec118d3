/**
 * The one writer of a node's own entries. A node's job client and its worker write as the same
 * author, often at the same moment; two writes that read the same "last sequence number" would
 * sign two entries with one sequence, which the fold treats as equivocation and rejects both. So
 * every own write goes through this queue (the author's on the ledger, `inOwnTurn`): number, time,
 * sign, append, check, one at a time.
 * Several entries can go as one batch: one append, so one Automerge change and one sync round for
 * all of them (a worker's commit, reveal and next claim), which is what bounds a pool's throughput.
 */
import type { Did } from "../identity/did-key.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { inOwnTurn } from "../ledger/own-turn.ts";
import type { EntryId, Kind, RejectReason } from "../ledger/types.ts";
import type { Author } from "../ledger/writer.ts";
import type { Clock } from "../scheduler/index.ts";

/** `read-only`: this node does not hold its identity's writer role (identity/writer-role.ts), so it signs nothing. */
export type OwnWriteRefusal = RejectReason | "read-only";
export type OwnWrite = { ok: true; id: EntryId } | { ok: false; reason: OwnWriteRefusal; message: string };

const READ_ONLY = "this node only reads: another process or tab of this identity writes its entries (it holds the writer role)";

export interface OwnEntryRequest {
  readonly kind: Kind;
  readonly body: Record<string, unknown>;
  /** The entry's time is at least this (it must sort after what it refers to). */
  readonly notBefore?: number;
}

export class OwnEntries {
  private lastTime = 0;

  constructor(
    private readonly ledger: Ledger,
    readonly author: Author,
    private readonly clock: Clock,
    /** The author's delegation, carried by every entry (none for the pool root or the member-list rule). */
    private readonly proof?: () => string | undefined,
    /** Another node holds the author's writer role: every write is refused before it is signed. */
    private readonly readOnly = false,
  ) {}

  get did(): Did {
    return this.author.did;
  }

  /**
   * Signs and appends one entry. Its time never goes back for this author and never precedes
   * `notBefore` (an entry must sort after what it refers to, even when the other clock ran ahead).
   */
  async write(kind: Kind, body: Record<string, unknown>, notBefore = 0): Promise<OwnWrite> {
    const [result] = await this.writeMany([{ kind, body, notBefore }]);
    return result!;
  }

  /**
   * Signs entries with consecutive sequence numbers and non-decreasing times and appends them as
   * one batch; the fold takes them up in that order. One result per request: an entry the fold
   * refuses (a claim that lost a race) does not stop the others.
   */
  writeMany(requests: readonly OwnEntryRequest[]): Promise<OwnWrite[]> {
    if (this.readOnly) return Promise.resolve(requests.map(() => ({ ok: false, reason: "read-only", message: READ_ONLY })));
    return inOwnTurn(this.ledger, this.did, () => this.writeNow(requests));
  }

  private async writeNow(requests: readonly OwnEntryRequest[]): Promise<OwnWrite[]> {
    if (requests.length === 0) return [];
    const { ledger, author } = this;
    const writer = ledger.writerFor(author);
    const proof = this.proof?.();
    let time = Math.max(this.clock.now(), this.lastTime, ledger.state.authors[author.did]?.time ?? 0);
    const signed = [];
    for (const { kind, body, notBefore = 0 } of requests) {
      time = Math.max(time, notBefore);
      signed.push(await writer.write(kind, body, time, proof === undefined ? [] : [proof]));
    }
    const appended = await ledger.append(signed);
    if (!appended.ok) return requests.map(() => appended);
    this.lastTime = time;
    const ids = new Set(signed.map((s) => s.id as string));
    const refused = new Map(ledger.view().invalid.filter((i) => ids.has(i.key)).map((i) => [i.key, i]));
    return signed.map((s) => {
      const why = refused.get(s.id);
      return why ? { ok: false, reason: why.reason, message: why.message } : { ok: true, id: s.id };
    });
  }
}
