/**
 * The rendezvous order of workers for a job: every node derives the same order from the job id and
 * the sorted list of competing workers alone, so workers spread over replicas without talking.
 *
 * The order is a keyed pseudo-random permutation of the list (a 4-round Feistel network over the
 * smallest even power of two that holds it, cycle-walked down to the list's size), keyed by one
 * SHA-256 of the job id. A worker's rank is one evaluation of the permutation at its own position:
 * O(1) per job instead of a hash per member per job (10^9 hashes for 10,000 members and 100,000
 * jobs). Ranks are exact and distinct, so workers that see the same list never pick the same
 * replica in the same wave; the key is unknown before the job exists, so no member can choose a
 * DID that ranks early.
 */
import { sha256, utf8 } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";
import type { EntryId } from "../ledger/types.ts";

/** The four round keys of a job's permutation. */
export type RendezvousKey = readonly [number, number, number, number];

const ROUNDS = 4;

export function rendezvousKey(job: EntryId): RendezvousKey {
  const digest = sha256(utf8(`edgepool/rendezvous/v2\0${job}`));
  const word = (i: number) => ((digest[4 * i]! << 24) | (digest[4 * i + 1]! << 16) | (digest[4 * i + 2]! << 8) | digest[4 * i + 3]!) >>> 0;
  return [word(0), word(1), word(2), word(3)];
}

/** MurmurHash3's 32-bit finaliser: every input bit flips each output bit with probability ~1/2. */
function mix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function feistel(key: RendezvousKey, halfBits: number, value: number): number {
  const mask = (1 << halfBits) - 1;
  let left = value >>> halfBits;
  let right = value & mask;
  for (let round = 0; round < ROUNDS; round++) {
    const next = left ^ (mix32(right ^ key[round]!) & mask);
    left = right;
    right = next;
  }
  return (left << halfBits) | right;
}

function unfeistel(key: RendezvousKey, halfBits: number, value: number): number {
  const mask = (1 << halfBits) - 1;
  let left = value >>> halfBits;
  let right = value & mask;
  for (let round = ROUNDS - 1; round >= 0; round--) {
    const previous = right ^ (mix32(left ^ key[round]!) & mask);
    right = left;
    left = previous;
  }
  return (left << halfBits) | right;
}

function halfBitsFor(size: number, value: number, what: string): number {
  if (!Number.isInteger(size) || size < 1 || size > 2 ** 30 || !Number.isInteger(value) || value < 0 || value >= size) {
    throw new RangeError(`${what} ${value} outside a list of ${size}`);
  }
  let halfBits = 1;
  while (1 << (2 * halfBits) < size) halfBits++;
  return halfBits;
}

/** The rank (0-based) of position `index` in a list of `size` under the job's permutation. */
export function rendezvousRank(key: RendezvousKey, size: number, index: number): number {
  const halfBits = halfBitsFor(size, index, "rendezvousRank: index");
  // Cycle walking: a permutation of [0, 4^h) visits [0, size) again within a few steps (size > 4^h / 4).
  let rank = feistel(key, halfBits, index);
  while (rank >= size) rank = feistel(key, halfBits, rank);
  return rank;
}

/** The position in a list of `size` that holds `rank` (the inverse of rendezvousRank). */
export function rendezvousPosition(key: RendezvousKey, size: number, rank: number): number {
  const halfBits = halfBitsFor(size, rank, "rendezvousPosition: rank");
  let index = unfeistel(key, halfBits, rank);
  while (index >= size) index = unfeistel(key, halfBits, index);
  return index;
}

/** A worker's place in a sorted list of competitors (`listed` false: where it would be inserted). */
export interface Place {
  readonly position: number;
  readonly listed: boolean;
}

/** A worker's claim weight P (ledger/README.md 8.7: 1000 plus its stake and reputation terms). */
export type WeightOf = (did: Did) => number;

const UNWEIGHTED: WeightOf = () => 1000;

/**
 * The workers one worker ranks itself against, sorted once per look at the ledger and shared by
 * every job it plans (sorting is the O(n log n) part; each job's rank is then O(busy)). With the
 * fold's claim weights, a worker's waves shrink by its weight over the mean (`weightPermille`),
 * so stake and reputation shape who claims first as they shape who wins a contest.
 */
export class Competitors {
  private readonly sorted: readonly Did[];
  private readonly positions: Map<Did, number>;
  private readonly totalWeight: number;

  /**
   * @param alone how many of the workers the fold could give an adaptive job alone, as far as the
   * caller counted (replicas.ts counts up to the longest wait it derives from it).
   */
  constructor(
    workers: Iterable<Did>,
    private readonly weightOf: WeightOf = UNWEIGHTED,
    readonly alone = 0,
  ) {
    this.sorted = [...new Set(workers)].sort();
    this.positions = new Map(this.sorted.map((did, i) => [did, i]));
    this.totalWeight = this.sorted.reduce((sum, did) => sum + weightOf(did), 0);
  }

  get size(): number {
    return this.sorted.length;
  }

  /** `me`'s claim weight over the competitors' mean, in thousandths (exactly 1000 when all weigh the same). */
  weightPermille(me: Did): number {
    const listed = this.positions.has(me);
    const size = this.sorted.length + (listed ? 0 : 1);
    const total = this.totalWeight + (listed ? 0 : this.weightOf(me));
    return Math.max(1, Math.floor((1000 * this.weightOf(me) * size) / total));
  }

  /**
   * `me`'s rank for a job among the competitors and itself, leaving out `busy` (workers that
   * already hold or committed a replica of the job); undefined when `me` is busy. `busyAt`: their
   * positions (busyPositions), from a caller that keeps them while `busy` stays.
   */
  rank(key: RendezvousKey, me: Did, busy: ReadonlySet<Did>, busyAt?: readonly number[]): number | undefined {
    if (busy.has(me)) return undefined;
    return this.rankAt(key, this.placeOf(me), busyAt ?? this.busyPositions(busy));
  }

  /** Where `me` stands in the sorted list: its position, or the one it would take when it is not listed. */
  placeOf(me: Did): Place {
    const position = this.positions.get(me);
    return position === undefined ? { position: this.insertionPoint(me), listed: false } : { position, listed: true };
  }

  /**
   * The listed positions of `busy`, ascending. A dispatcher ranking many workers for one job
   * computes them once (they change only when `busy` does) and passes them to `rankAt`.
   */
  busyPositions(busy: ReadonlySet<Did>): number[] {
    const positions: number[] = [];
    for (const did of busy) {
      const at = this.positions.get(did);
      if (at !== undefined) positions.push(at);
    }
    return positions.sort((a, b) => a - b);
  }

  /** The rank of the worker at `place` (not busy itself) once the workers at `busyPositions` are left out. */
  rankAt(key: RendezvousKey, place: Place, busyPositions: readonly number[]): number {
    let index = place.position;
    for (const at of busyPositions) if (at < place.position) index--;
    return rendezvousRank(key, this.sorted.length + (place.listed ? 0 : 1) - busyPositions.length, index);
  }

  /**
   * Who holds `rank` for a job among the competitors without the workers at `busyPositions`
   * (the inverse of `rankAt` for listed workers): lets a dispatcher find a wave's workers
   * without ranking everyone.
   */
  workerAt(key: RendezvousKey, rank: number, busyPositions: readonly number[]): Did | undefined {
    const position = this.positionAt(key, rank, busyPositions);
    return position === undefined ? undefined : this.sorted[position];
  }

  /** Where the worker of `workerAt` stands in the sorted list (a dispatcher keeping its workers by position skips a lookup by DID). */
  positionAt(key: RendezvousKey, rank: number, busyPositions: readonly number[]): number | undefined {
    const size = this.sorted.length - busyPositions.length;
    if (rank >= size) return undefined;
    let position = rendezvousPosition(key, size, rank);
    for (const at of busyPositions) if (at <= position) position++;
    return position;
  }

  /** The competitor at `position` of the sorted list. */
  at(position: number): Did | undefined {
    return this.sorted[position];
  }

  private insertionPoint(did: Did): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.sorted[middle]! < did) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
