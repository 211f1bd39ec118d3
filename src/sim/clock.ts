/**
 * The simulator's virtual clock: a priority queue of events ordered by (time, insertion order),
 * so two runs with the same seed process the same events in the same order.
 */
export class EventQueue<E> {
  private times: number[] = [];
  private orders: number[] = [];
  private events: E[] = [];
  private inserted = 0;
  private current = 0;

  constructor(start: number) {
    this.current = start;
  }

  get now(): number {
    return this.current;
  }

  get size(): number {
    return this.events.length;
  }

  /** Schedules `event` at `time` (never before now: the past is settled). */
  at(time: number, event: E): void {
    if (time < this.current) throw new RangeError(`event scheduled at ${time}, before the clock (${this.current})`);
    const order = this.inserted++;
    // Sift up with a hole: parents move down one slot each, the new event is written once.
    let i = this.events.length;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(time, order, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.times[i] = time;
    this.orders[i] = order;
    this.events[i] = event;
  }

  /** Removes the earliest event and moves the clock to its time; undefined when none is left. */
  next(): E | undefined {
    const n = this.events.length;
    if (n === 0) return undefined;
    const top = this.events[0]!;
    this.current = this.times[0]!;
    const time = this.times.pop()!;
    const order = this.orders.pop()!;
    const event = this.events.pop()!;
    if (n > 1) this.siftDown(time, order, event);
    return top;
  }

  /** Whether an event at (time, order) comes before the one in slot `j`. */
  private before(time: number, order: number, j: number): boolean {
    return time < this.times[j]! || (time === this.times[j] && order < this.orders[j]!);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.orders[to] = this.orders[from]!;
    this.events[to] = this.events[from]!;
  }

  /** Places the last event (taken out) from the root down: earlier children move up into the hole. */
  private siftDown(time: number, order: number, event: E): void {
    const n = this.events.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.before(this.times[r]!, this.orders[r]!, l) ? r : l;
      if (this.before(time, order, child)) break;
      this.move(child, i);
      i = child;
    }
    this.times[i] = time;
    this.orders[i] = order;
    this.events[i] = event;
  }
}
