// The EdgePool task ABI (see ../README.md): helpers every sample task shares.

/** Exported by every task: the host asks for `len` bytes to write the input into. */
export function alloc(len: i32): usize {
  return heap.alloc(<usize>len);
}

/** Packs an output range as `run` must return it: pointer in the high 32 bits, length in the low. */
export function output(ptr: usize, len: i32): i64 {
  return (<i64>ptr << 32) | <i64>(<u32>len);
}

/** Writes `value` in decimal at `ptr`, returns the number of bytes written. */
export function writeDecimal(ptr: usize, value: u64): i32 {
  let digits = 1;
  for (let v = value / 10; v > 0; v /= 10) digits++;
  let v = value;
  for (let i = digits - 1; i >= 0; i--) {
    store<u8>(ptr + <usize>i, <u8>(48 + v % 10));
    v /= 10;
  }
  return digits;
}
