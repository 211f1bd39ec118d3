/**
 * The one writer of a node's own entries. A node's job client and its worker write as the same
 * author, often at the same moment; two writes that read the same "last sequence number" would
 * sign two entries with one sequence, which the fold treats as equivocation and rejects both. So
 * every own write goes through this queue: number, time, sign, append, check, one at a time.
 */
import type { Did } from "../identity/did-key.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { EntryId, Kind, RejectReason } from "../ledger/types.ts";
import type { Author } from "../ledger/writer.ts";
import type { Clock } from "../scheduler/index.ts";

export type OwnWrite = { ok: true; id: EntryId } | { ok: false; reason: RejectReason; message: string };

export class OwnEntries {
  private queue: Promise<unknown> = Promise.resolve();
  private lastTime = 0;

  constructor(
    private readonly ledger: Ledger,
    readonly author: Author,
    private readonly clock: Clock,
    /** The author's delegation, carried by every entry (none for the pool root or the member-list rule). */
    private readonly proof?: () => string | undefined,
  ) {}

  get did(): Did {
    return this.author.did;
  }

  /**
   * Signs and appends one entry. Its time never goes back for this author and never precedes
   * `notBefore` (an entry must sort after what it refers to, even when the other clock ran ahead).
   */
  write(kind: Kind, body: Record<string, unknown>, notBefore = 0): Promise<OwnWrite> {
    const run = this.queue.then(() => this.writeNow(kind, body, notBefore));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeNow(kind: Kind, body: Record<string, unknown>, notBefore: number): Promise<OwnWrite> {
    const { ledger, author } = this;
    const time = Math.max(this.clock.now(), this.lastTime, ledger.state.authors[author.did]?.time ?? 0, notBefore);
    const proof = this.proof?.();
    const signed = await ledger.writerFor(author).write(kind, body, time, proof === undefined ? [] : [proof]);
    const appended = await ledger.append([signed]);
    if (!appended.ok) return appended;
    this.lastTime = time;
    const refused = ledger.view().invalid.find((i) => i.key === signed.id);
    return refused ? { ok: false, reason: refused.reason, message: refused.message } : { ok: true, id: signed.id };
  }
}
