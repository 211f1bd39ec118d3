/**
 * The simulator's virtual clock: a priority queue of events ordered by (time, insertion order),
 * so two runs with the same seed process the same events in the same order.
 *
 * Events scheduled a fixed delay from now (`after`) skip the heap: the clock never goes back, so
 * events with one delay fall due in the order they were scheduled, and each delay keeps a FIFO
 * lane. A run has a handful of delays (a lease and a recheck, a deadline and a recheck, a fold
 * tick) and ~100,000 such events waiting at once; `next` compares the lanes' heads with the heap's
 * top, so the order is exactly the one a single heap would give.
 */
export class EventQueue<E> {
  private times: number[] = [];
  private orders: number[] = [];
  private events: E[] = [];
  private readonly lanes = new Map<number, Lane<E>>();
  /** The lanes as a list, for `next` to scan without an iterator. */
  private readonly laneList: Lane<E>[] = [];
  private inserted = 0;
  private current = 0;
  private waiting = 0;

  constructor(start: number) {
    this.current = start;
  }

  get now(): number {
    return this.current;
  }

  get size(): number {
    return this.events.length + this.waiting;
  }

  /** Schedules `event` at `time` (never before now: the past is settled). */
  at(time: number, event: E): void {
    if (time < this.current) throw new RangeError(`event scheduled at ${time}, before the clock (${this.current})`);
    // An event as far ahead as a lane's delay joins that lane (the board's waves come one stagger apart).
    const lane = this.lanes.get(time - this.current);
    if (lane && this.current + (time - this.current) === time) {
      lane.push(time, this.inserted++, event);
      this.waiting++;
      return;
    }
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

  /** Schedules `event` at now + `delayMs`; meant for the few delays a caller uses again and again (one lane each). */
  after(delayMs: number, event: E): void {
    if (!(delayMs >= 0)) throw new RangeError(`event scheduled ${delayMs} ms from now: a delay is never negative`);
    this.laneOf(delayMs).push(this.current + delayMs, this.inserted++, event);
    this.waiting++;
  }

  /** Gives events scheduled `delayMs` ahead a lane, by `at` as by `after` (a delay the caller uses often). */
  keepLane(delayMs: number): void {
    this.laneOf(delayMs);
  }

  private laneOf(delayMs: number): Lane<E> {
    let lane = this.lanes.get(delayMs);
    if (!lane) {
      lane = new Lane<E>();
      this.lanes.set(delayMs, lane);
      this.laneList.push(lane);
    }
    return lane;
  }

  /** Removes the earliest event and moves the clock to its time; undefined when none is left. */
  next(): E | undefined {
    let earliest: Lane<E> | undefined;
    for (const lane of this.laneList) {
      if (lane.empty) continue;
      if (!earliest || lane.time < earliest.time || (lane.time === earliest.time && lane.order < earliest.order)) earliest = lane;
    }
    const n = this.events.length;
    if (earliest && (n === 0 || this.before(earliest.time, earliest.order, 0))) {
      this.current = earliest.time;
      this.waiting--;
      return earliest.shift();
    }
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

/** Events of one delay, due in the order they were added (times and orders never decrease). */
class Lane<E> {
  private times: number[] = [];
  private orders: number[] = [];
  private events: (E | undefined)[] = [];
  private head = 0;

  get empty(): boolean {
    return this.head === this.events.length;
  }

  /** The first event's time and insertion order (only while not empty). */
  get time(): number {
    return this.times[this.head]!;
  }

  get order(): number {
    return this.orders[this.head]!;
  }

  push(time: number, order: number, event: E): void {
    this.times.push(time);
    this.orders.push(order);
    this.events.push(event);
  }

  shift(): E {
    const event = this.events[this.head]!;
    this.events[this.head++] = undefined;
    // Handed-out slots are dropped in steps: shifting each time would copy the lane each time.
    if (this.head > 4_096 && this.head * 2 > this.events.length) {
      this.times = this.times.slice(this.head);
      this.orders = this.orders.slice(this.head);
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
    return event;
  }
}
