// Mandelbrot tile renderer. Input (44 bytes, little-endian): f64 xMin, f64 yMin, f64 xMax, f64 yMax,
// u32 width, u32 height, u32 maxIterations. Output: width*height RGBA pixels, rows top (yMax) to
// bottom. Plain escape-time iteration in IEEE-754 doubles, no transcendental functions, so every
// engine produces the same bytes.
import { output } from "./abi";
export { alloc } from "./abi";

const PALETTE: StaticArray<u32> = [
  0x421e0f, 0x19071a, 0x09012f, 0x040449, 0x000764, 0x0c2c8a, 0x1852b1, 0x397dd1,
  0x86b5e5, 0xd3ecf8, 0xf1e9bf, 0xf8c95f, 0xffaa00, 0xcc8000, 0x995700, 0x6a3403,
];
const MAX_SIDE: u32 = 4096;
const MAX_ITERATIONS: u32 = 1_000_000;

export function run(ptr: usize, len: i32): i64 {
  if (len != 44) throw new Error("input must be 44 bytes: xMin yMin xMax yMax (f64) width height maxIterations (u32)");
  const xMin = load<f64>(ptr), yMin = load<f64>(ptr, 8), xMax = load<f64>(ptr, 16), yMax = load<f64>(ptr, 24);
  const width = load<u32>(ptr, 32), height = load<u32>(ptr, 36), maxIter = load<u32>(ptr, 40);
  if (!(isFinite(xMin) && isFinite(yMin) && isFinite(xMax) && isFinite(yMax) && xMax > xMin && yMax > yMin)) {
    throw new Error("the viewport must be finite with xMax > xMin and yMax > yMin");
  }
  if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) throw new Error("width and height must be 1..4096");
  if (maxIter < 1 || maxIter > MAX_ITERATIONS) throw new Error("maxIterations must be 1..1000000");
  const dx = (xMax - xMin) / <f64>width;
  const dy = (yMax - yMin) / <f64>height;
  const size = <i32>(width * height * 4);
  const out = heap.alloc(<usize>size);
  let p = out;
  for (let py: u32 = 0; py < height; py++) {
    const cy = yMax - (<f64>py + 0.5) * dy;
    for (let px: u32 = 0; px < width; px++) {
      const cx = xMin + (<f64>px + 0.5) * dx;
      let zr = 0.0, zi = 0.0;
      let i: u32 = 0;
      while (i < maxIter) {
        const zr2 = zr * zr, zi2 = zi * zi;
        if (zr2 + zi2 > 4.0) break;
        zi = 2.0 * zr * zi + cy;
        zr = zr2 - zi2 + cx;
        i++;
      }
      const rgb = i == maxIter ? 0 : PALETTE[i & 15];
      store<u32>(p, 0xff000000 | ((rgb & 0xff) << 16) | (rgb & 0xff00) | (rgb >>> 16));
      p += 4;
    }
  }
  return output(out, size);
}
