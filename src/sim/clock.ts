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
    this.times.push(time);
    this.orders.push(this.inserted++);
    this.events.push(event);
    this.up(this.events.length - 1);
  }

  /** Removes the earliest event and moves the clock to its time; undefined when none is left. */
  next(): E | undefined {
    const n = this.events.length;
    if (n === 0) return undefined;
    const top = this.events[0]!;
    this.current = this.times[0]!;
    this.move(n - 1, 0);
    this.times.pop();
    this.orders.pop();
    this.events.pop();
    if (n > 1) this.down(0);
    return top;
  }

  private less(i: number, j: number): boolean {
    return this.times[i]! < this.times[j]! || (this.times[i] === this.times[j] && this.orders[i]! < this.orders[j]!);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.orders[to] = this.orders[from]!;
    this.events[to] = this.events[from]!;
  }

  private swap(i: number, j: number): void {
    [this.times[i], this.times[j]] = [this.times[j]!, this.times[i]!];
    [this.orders[i], this.orders[j]] = [this.orders[j]!, this.orders[i]!];
    [this.events[i], this.events[j]] = [this.events[j]!, this.events[i]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.events.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
