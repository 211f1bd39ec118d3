/**
 * A set of small non-negative integers (job indices) walked in ascending order: the board's open
 * jobs, oldest submitted first, as the real worker orders the plans that fall due together. A
 * Set keeps insertion order instead, so a job that left and came back (a replica reopened) would
 * queue behind every job opened meanwhile. One bit per index; the walk starts at the lowest
 * index that may be present, which moves up as old jobs settle.
 */
export class IndexSet implements Iterable<number> {
  private words = new Uint32Array(64);
  /** No index below this is present (a lower bound, raised as walks pass empty words). */
  private low = Infinity;
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(index: number): boolean {
    return ((this.words[index >>> 5] ?? 0) & (1 << (index & 31))) !== 0;
  }

  add(index: number): void {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`IndexSet: ${index} is not a non-negative integer`);
    const word = index >>> 5;
    if (word >= this.words.length) this.grow(word);
    const bit = 1 << (index & 31);
    if ((this.words[word]! & bit) !== 0) return;
    this.words[word] = this.words[word]! | bit;
    this.count++;
    if (index < this.low) this.low = index;
  }

  delete(index: number): boolean {
    const word = index >>> 5;
    const bit = 1 << (index & 31);
    if (((this.words[word] ?? 0) & bit) === 0) return false;
    this.words[word] = this.words[word]! & ~bit;
    this.count--;
    return true;
  }

  /** Ascending; an index added or deleted during the walk is seen or not by whether the walk has passed it. */
  *[Symbol.iterator](): Iterator<number> {
    if (this.count === 0) return;
    let word = this.low >>> 5;
    // Words emptied since the last walk are skipped once, not on every walk.
    while (word < this.words.length && this.words[word] === 0) word++;
    this.low = word * 32;
    for (; word < this.words.length; word++) {
      for (let bits = this.words[word]!; bits !== 0; bits = this.words[word]! & above(lowestBit(bits))) {
        yield word * 32 + lowestBit(bits);
      }
    }
  }

  private grow(word: number): void {
    let length = this.words.length;
    while (length <= word) length *= 2;
    const words = new Uint32Array(length);
    words.set(this.words);
    this.words = words;
  }
}

/** The bits above position `bit` of a 32-bit word (a shift by 32 would shift by 0). */
const above = (bit: number): number => (bit === 31 ? 0 : ~0 << (bit + 1));

/** The position of the lowest set bit of a non-zero 32-bit word. */
const lowestBit = (bits: number): number => 31 - Math.clz32(bits & -bits);
