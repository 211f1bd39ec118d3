// Prime counter. Input (16 bytes, little-endian): u64 lo, u64 hi. Output: u64 LE, the number of
// primes p with lo <= p < hi. Segmented sieve of Eratosthenes; hi <= 2^40 keeps the base primes
// (up to 2^20) small.
import { output } from "./abi";
export { alloc } from "./abi";

const MAX_HI: u64 = 1 << 40;
const SEGMENT: u64 = 32768;

function isqrt(n: u64): u64 {
  let r = <u64>Math.sqrt(<f64>n);
  while (r * r > n) r--;
  while ((r + 1) * (r + 1) <= n) r++;
  return r;
}

export function run(ptr: usize, len: i32): i64 {
  if (len != 16) throw new Error("input must be 16 bytes: lo and hi as little-endian u64");
  const lo = load<u64>(ptr), hi = load<u64>(ptr, 8);
  if (hi > MAX_HI || lo > hi) throw new Error("need lo <= hi <= 2^40");
  let count: u64 = 0;
  if (hi > 2) {
    // Base primes up to sqrt(hi - 1) by a plain sieve (byte 1 = composite).
    const root = isqrt(hi - 1);
    const base = heap.alloc(<usize>root + 1);
    memory.fill(base, 0, <usize>root + 1);
    const segment = heap.alloc(<usize>SEGMENT);
    for (let p: u64 = 2; p * p <= root; p++) {
      if (load<u8>(base + <usize>p) == 0) for (let m = p * p; m <= root; m += p) store<u8>(base + <usize>m, 1);
    }
    for (let start = lo < 2 ? 2 : lo; start < hi; start += SEGMENT) {
      const end = start + SEGMENT < hi ? start + SEGMENT : hi;
      memory.fill(segment, 0, <usize>(end - start));
      for (let p: u64 = 2; p <= root && p * p < end; p++) {
        if (load<u8>(base + <usize>p) != 0) continue;
        let m = (start + p - 1) / p * p;
        if (m < p * p) m = p * p;
        for (; m < end; m += p) store<u8>(segment + <usize>(m - start), 1);
      }
      for (let n = start; n < end; n++) if (load<u8>(segment + <usize>(n - start)) == 0) count++;
    }
  }
  const out = heap.alloc(8);
  store<u64>(out, count);
  return output(out, 8);
}
