/**
 * A fast path for decoding entries: canonical DAG-CBOR limited to what entries are almost always
 * made of (maps with ASCII keys, ASCII strings, byte strings, safe integers, arrays, true, false,
 * null). Decoding with the generic DAG-CBOR library and encoding again to prove the bytes
 * canonical cost about half of the ledger's CPU per entry beside the signature. This reads the
 * bytes once and accepts them only when every item is in its canonical form: shortest heads,
 * definite lengths, map keys strictly ascending in DAG-CBOR order (shorter first, then bytewise),
 * nothing after the value. Such bytes are exactly `dagCbor.encode` of the value returned, and
 * `dagCbor.decode` returns the same value for them.
 *
 * It only ever accepts: anything else (non-ASCII text, floats, tags, big integers, deep nesting,
 * and every malformed or non-canonical input) returns undefined and goes through the generic
 * decoder, which gives the verdict and its reason as before.
 */
const MAX_DEPTH = 32;
/** Returned by the readers below for anything outside the subset (undefined is not a value CBOR decodes to here). */
const OUT = undefined;

// The reader's cursor and the last head read, kept in module variables rather than returned in
// objects: decoding is synchronous, and one small object per item was most of its garbage.
const EMPTY: Uint8Array = new Uint8Array(0);
let input = EMPTY;
let pos = 0;
let major = 0;
let arg = 0;

/** The value `bytes` canonically encode, when they are in the subset above; undefined otherwise. */
export function decodeCanonicalSubset(bytes: Uint8Array): unknown {
  input = bytes;
  pos = 0;
  const value = item(0);
  const complete = pos === bytes.length;
  input = EMPTY;
  return complete ? value : OUT;
}

/** Reads a head into `major` and `arg`; false when it is not the shortest form or too large. */
function head(): boolean {
  const bytes = input;
  const at = pos;
  const initial = bytes[at];
  if (initial === undefined) return false;
  major = initial >> 5;
  const minor = initial & 31;
  if (minor < 24) {
    arg = minor;
    pos = at + 1;
    return true;
  }
  if (minor === 24) {
    if (at + 2 > bytes.length) return false;
    arg = bytes[at + 1]!;
    pos = at + 2;
    return arg >= 24;
  }
  if (minor === 25) {
    if (at + 3 > bytes.length) return false;
    arg = (bytes[at + 1]! << 8) | bytes[at + 2]!;
    pos = at + 3;
    return arg >= 0x100;
  }
  if (minor === 26) {
    if (at + 5 > bytes.length) return false;
    arg = bytes[at + 1]! * 0x1000000 + ((bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!);
    pos = at + 5;
    return arg >= 0x10000;
  }
  if (minor === 27) {
    if (at + 9 > bytes.length) return false;
    const high = bytes[at + 1]! * 0x1000000 + ((bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!);
    const low = bytes[at + 5]! * 0x1000000 + ((bytes[at + 6]! << 16) | (bytes[at + 7]! << 8) | bytes[at + 8]!);
    arg = high * 0x100000000 + low;
    pos = at + 9;
    // At least 2^32 (else shorter), and at most 2^53 - 2 so that both signs stay safe integers.
    return high !== 0 && high < 0x200000 && arg <= Number.MAX_SAFE_INTEGER - 1;
  }
  return false;
}

function item(depth: number): unknown {
  const initial = input[pos];
  if (depth > MAX_DEPTH || !head()) return OUT;
  switch (major) {
    case 0:
      return arg;
    case 1:
      return -1 - arg;
    case 2: {
      const end = pos + arg;
      if (end > input.length) return OUT;
      const value = input.slice(pos, end);
      pos = end;
      return value;
    }
    case 3:
      return text(arg);
    case 4:
      return list(arg, depth);
    case 5:
      return map(arg, depth);
    case 7:
      // false, true and null; every other simple value and every float take the generic path.
      return initial === 0xf4 ? false : initial === 0xf5 ? true : initial === 0xf6 ? null : OUT;
    default:
      return OUT; // tags (CIDs and others) take the generic path
  }
}

function list(length: number, depth: number): unknown {
  // Each item takes at least a byte: a hostile length cannot make us allocate more than the input.
  if (pos + length > input.length) return OUT;
  const value: unknown[] = [];
  for (let i = 0; i < length; i++) {
    const next = item(depth + 1);
    if (next === OUT) return OUT;
    value.push(next);
  }
  return value;
}

function map(size: number, depth: number): unknown {
  if (pos + 2 * size > input.length) return OUT;
  const value: Record<string, unknown> = {};
  let previousStart = 0;
  let previousLength = -1;
  for (let i = 0; i < size; i++) {
    if (!head() || major !== 3) return OUT;
    const start = pos;
    if (!ascending(previousStart, previousLength, start, arg)) return OUT;
    previousStart = start;
    previousLength = arg;
    const name = text(arg);
    // `__proto__` would need defineProperty to stay an own key; the generic decoder handles it.
    if (name === OUT || name === "__proto__") return OUT;
    const next = item(depth + 1);
    if (next === OUT) return OUT;
    value[name] = next;
  }
  return value;
}

/** DAG-CBOR key order: shorter first, then bytewise; equal keys (duplicates) are not ascending. */
function ascending(previousStart: number, previousLength: number, start: number, length: number): boolean {
  if (previousLength !== length) return previousLength < length;
  for (let i = 0; i < length; i++) {
    const a = input[previousStart + i]!;
    const b = input[start + i]!;
    if (a !== b) return a < b;
  }
  return false;
}

// Entries repeat the same strings (field names, kinds, the pool, authors, proofs, job ids): the
// ones seen are kept, found by a hash of their bytes and compared byte for byte, so a repeated
// string costs no allocation and decoded entries share one copy. Bounded: cleared when full.
const INTERN_LIMIT = 4_096;
const interned = new Map<number, string>();

/** ASCII text of `length` bytes at the cursor; undefined for any other byte (UTF-8 is the generic decoder's job). */
function text(length: number): string | undefined {
  const bytes = input;
  const start = pos;
  const end = start + length;
  if (end > bytes.length) return OUT;
  let hash = length;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x80) return OUT;
    hash = (Math.imul(hash, 31) + byte) | 0;
  }
  pos = end;
  const known = interned.get(hash);
  if (known !== undefined && sameText(known, bytes, start, length)) return known;
  const value = String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  if (interned.size >= INTERN_LIMIT) interned.clear();
  interned.set(hash, value);
  return value;
}

function sameText(known: string, bytes: Uint8Array, start: number, length: number): boolean {
  if (known.length !== length) return false;
  for (let i = 0; i < length; i++) if (known.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}
