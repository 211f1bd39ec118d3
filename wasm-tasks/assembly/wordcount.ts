// Word-count map step. Input: UTF-8 text. A word is a maximal run of ASCII letters, ASCII digits or
// bytes >= 0x80 (so multi-byte UTF-8 characters stay inside words); ASCII letters are lower-cased.
// Output: one line per distinct word, "word\tcount\n", sorted by the words' bytes, which a reduce
// step merges by summing counts.
import { output, writeDecimal } from "./abi";
export { alloc } from "./abi";

let text: usize = 0;
let words: usize = 0;

function isWordByte(b: u8): bool {
  return (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b >= 0x80;
}

/** A word is packed as (start << 32 | length) so sorting moves one u64. */
@inline function wordAt(i: i32): u64 {
  return load<u64>(words + (<usize>i << 3));
}

function compareWords(a: u64, b: u64): i32 {
  const la = <i32>(a & 0xffffffff), lb = <i32>(b & 0xffffffff);
  const c = memory.compare(text + <usize>(a >>> 32), text + <usize>(b >>> 32), <usize>min(la, lb));
  return c != 0 ? c : la - lb;
}

function siftDown(root: i32, end: i32): void {
  while (true) {
    let child = 2 * root + 1;
    if (child >= end) return;
    if (child + 1 < end && compareWords(wordAt(child), wordAt(child + 1)) < 0) child++;
    const r = wordAt(root), c = wordAt(child);
    if (compareWords(r, c) >= 0) return;
    store<u64>(words + (<usize>root << 3), c);
    store<u64>(words + (<usize>child << 3), r);
    root = child;
  }
}

// Heapsort: O(n log n) worst case and no recursion, whatever text a job submits.
function sortWords(n: i32): void {
  for (let i = n / 2 - 1; i >= 0; i--) siftDown(i, n);
  for (let end = n - 1; end > 0; end--) {
    const top = wordAt(0);
    store<u64>(words, wordAt(end));
    store<u64>(words + (<usize>end << 3), top);
    siftDown(0, end);
  }
}

function digits(v: u32): i32 {
  let d = 1;
  for (let x = v / 10; x > 0; x /= 10) d++;
  return d;
}

/** The index after the run of words equal to word j (the words are sorted). */
function runEnd(j: i32, n: i32): i32 {
  const w = wordAt(j);
  let k = j + 1;
  while (k < n && compareWords(wordAt(k), w) == 0) k++;
  return k;
}

export function run(ptr: usize, len: i32): i64 {
  text = ptr;
  for (let i = 0; i < len; i++) {
    const b = load<u8>(ptr + <usize>i);
    if (b >= 0x41 && b <= 0x5a) store<u8>(ptr + <usize>i, b + 32);
  }
  words = heap.alloc(<usize>(len / 2 + 1) << 3);
  let n = 0;
  let i = 0;
  while (i < len) {
    if (!isWordByte(load<u8>(ptr + <usize>i))) { i++; continue; }
    const start = i;
    while (i < len && isWordByte(load<u8>(ptr + <usize>i))) i++;
    store<u64>(words + (<usize>n << 3), (<u64>start << 32) | <u64>(i - start));
    n++;
  }
  sortWords(n);
  // Two passes over the runs of equal words: size the output, then write it.
  let size = 0;
  for (let j = 0; j < n; ) {
    const k = runEnd(j, n);
    size += <i32>(wordAt(j) & 0xffffffff) + 2 + digits(<u32>(k - j));
    j = k;
  }
  const out = heap.alloc(<usize>size);
  let p = out;
  for (let j = 0; j < n; ) {
    const k = runEnd(j, n);
    const w = wordAt(j);
    const wl = <usize>(w & 0xffffffff);
    memory.copy(p, text + <usize>(w >>> 32), wl);
    p += wl;
    store<u8>(p++, 0x09);
    p += <usize>writeDecimal(p, <u64>(k - j));
    store<u8>(p++, 0x0a);
    j = k;
  }
  return output(out, size);
}
