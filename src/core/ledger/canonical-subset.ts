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
type Parsed = { value: unknown; end: number } | undefined;

/** The value `bytes` canonically encode, when they are in the subset above; undefined otherwise. */
export function decodeCanonicalSubset(bytes: Uint8Array): unknown {
  const parsed = item(bytes, 0, 0);
  return parsed && parsed.end === bytes.length ? parsed.value : undefined;
}

/** An item's head: its major type and argument, where its content starts; undefined when not the shortest form or too large. */
function head(bytes: Uint8Array, at: number): { major: number; arg: number; next: number } | undefined {
  const initial = bytes[at];
  if (initial === undefined) return undefined;
  const major = initial >> 5;
  const minor = initial & 31;
  if (minor < 24) return { major, arg: minor, next: at + 1 };
  if (minor === 24) {
    const arg = bytes[at + 1];
    return arg !== undefined && arg >= 24 ? { major, arg, next: at + 2 } : undefined;
  }
  if (minor === 25) {
    if (at + 3 > bytes.length) return undefined;
    const arg = (bytes[at + 1]! << 8) | bytes[at + 2]!;
    return arg >= 0x100 ? { major, arg, next: at + 3 } : undefined;
  }
  if (minor === 26) {
    if (at + 5 > bytes.length) return undefined;
    const arg = bytes[at + 1]! * 0x1000000 + ((bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!);
    return arg >= 0x10000 ? { major, arg, next: at + 5 } : undefined;
  }
  if (minor === 27) {
    if (at + 9 > bytes.length) return undefined;
    const high = bytes[at + 1]! * 0x1000000 + ((bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!);
    const low = bytes[at + 5]! * 0x1000000 + ((bytes[at + 6]! << 16) | (bytes[at + 7]! << 8) | bytes[at + 8]!);
    // At least 2^32 (else shorter), and at most 2^53 - 2 so that both signs stay safe integers.
    if (high === 0 || high >= 0x200000) return undefined;
    const arg = high * 0x100000000 + low;
    return arg <= Number.MAX_SAFE_INTEGER - 1 ? { major, arg, next: at + 9 } : undefined;
  }
  return undefined;
}

function item(bytes: Uint8Array, at: number, depth: number): Parsed {
  const h = head(bytes, at);
  if (!h || depth > MAX_DEPTH) return undefined;
  const { major, arg, next } = h;
  switch (major) {
    case 0:
      return { value: arg, end: next };
    case 1:
      return { value: -1 - arg, end: next };
    case 2:
      return next + arg <= bytes.length ? { value: bytes.slice(next, next + arg), end: next + arg } : undefined;
    case 3: {
      const value = ascii(bytes, next, next + arg);
      return value === undefined ? undefined : { value, end: next + arg };
    }
    case 4:
      return list(bytes, next, arg, depth);
    case 5:
      return map(bytes, next, arg, depth);
    case 7:
      return simple(bytes[at]!, next);
    default:
      return undefined; // tags (CIDs and others) take the generic path
  }
}

/** false, true and null; every other simple value and every float take the generic path. */
function simple(initial: number, next: number): Parsed {
  if (initial === 0xf4) return { value: false, end: next };
  if (initial === 0xf5) return { value: true, end: next };
  return initial === 0xf6 ? { value: null, end: next } : undefined;
}

function list(bytes: Uint8Array, at: number, length: number, depth: number): Parsed {
  // Each item takes at least a byte: a hostile length cannot make us allocate more than the input.
  if (at + length > bytes.length) return undefined;
  const value: unknown[] = [];
  let next = at;
  for (let i = 0; i < length; i++) {
    const parsed = item(bytes, next, depth + 1);
    if (!parsed) return undefined;
    value.push(parsed.value);
    next = parsed.end;
  }
  return { value, end: next };
}

function map(bytes: Uint8Array, at: number, size: number, depth: number): Parsed {
  if (at + 2 * size > bytes.length) return undefined;
  const value: Record<string, unknown> = {};
  let next = at;
  let previous: { start: number; end: number } | undefined;
  for (let i = 0; i < size; i++) {
    const key = head(bytes, next);
    if (!key || key.major !== 3) return undefined;
    const start = key.next;
    const end = start + key.arg;
    if (previous && !ascending(bytes, previous, start, end)) return undefined;
    const name = ascii(bytes, start, end);
    // `__proto__` would need defineProperty to stay an own key; the generic decoder handles it.
    if (name === undefined || name === "__proto__") return undefined;
    const parsed = item(bytes, end, depth + 1);
    if (!parsed) return undefined;
    value[name] = parsed.value;
    previous = { start, end };
    next = parsed.end;
  }
  return { value, end: next };
}

/** DAG-CBOR key order: shorter first, then bytewise; equal keys (duplicates) are not ascending. */
function ascending(bytes: Uint8Array, previous: { start: number; end: number }, start: number, end: number): boolean {
  const before = previous.end - previous.start;
  if (before !== end - start) return before < end - start;
  for (let i = 0; i < before; i++) {
    const a = bytes[previous.start + i]!;
    const b = bytes[start + i]!;
    if (a !== b) return a < b;
  }
  return false;
}

/** ASCII text as a string; undefined for any other byte (UTF-8 validity is the generic decoder's job). */
function ascii(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (end > bytes.length) return undefined;
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return undefined;
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}
