/**
 * Writes the app's PNG icons (public/icons/): a white ring around a dot, the pool and its members,
 * on the theme colour. Drawn per pixel with 4x4 supersampling and encoded with node:zlib, so no
 * image tool is needed. Run `node --import tsx src/ui/make-icons-node.ts` after changing the design;
 * the PNGs are committed.
 *
 * The maskable icon fills the whole square with the background and keeps the drawing inside the
 * central 80 % circle that every platform mask leaves visible (W3C manifest, "maskable" purpose).
 */
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const THEME = [0x0b, 0x5d, 0x4b] as const;
const WHITE = [0xff, 0xff, 0xff] as const;
const SAMPLES = 4;

interface Design {
  /** Radius of the rounded background corner as a share of the size (0.5: a circle). */
  readonly corner: number;
  /** Scale of the drawing (1 fills the icon; the maskable one stays in the safe zone). */
  readonly scale: number;
}

/** Coverage of the background (0..1 alpha) and of the white drawing at a point in unit coordinates. */
function shade(x: number, y: number, design: Design): { background: boolean; white: boolean } {
  const c = design.corner;
  const dx = Math.max(c - x, 0, x - (1 - c));
  const dy = Math.max(c - y, 0, y - (1 - c));
  const background = c === 0 || dx * dx + dy * dy <= c * c;
  const r = Math.hypot(x - 0.5, y - 0.5) / design.scale;
  const ring = r >= 0.26 && r <= 0.34;
  const dot = r <= 0.1;
  const members = [0, 1, 2, 3, 4, 5].some((i) => {
    const angle = (i * Math.PI) / 3;
    const mx = 0.5 + Math.cos(angle) * 0.3 * design.scale;
    const my = 0.5 + Math.sin(angle) * 0.3 * design.scale;
    return Math.hypot(x - mx, y - my) <= 0.07 * design.scale;
  });
  return { background, white: background && (ring || dot || members) };
}

function render(size: number, design: Design): Uint8Array {
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let covered = 0;
      let white = 0;
      for (let s = 0; s < SAMPLES * SAMPLES; s++) {
        const x = (px + ((s % SAMPLES) + 0.5) / SAMPLES) / size;
        const y = (py + (Math.floor(s / SAMPLES) + 0.5) / SAMPLES) / size;
        const sample = shade(x, y, design);
        if (sample.background) covered++;
        if (sample.white) white++;
      }
      const o = (py * size + px) * 4;
      const mix = covered === 0 ? 0 : white / covered;
      for (let ch = 0; ch < 3; ch++) rgba[o + ch] = Math.round(THEME[ch]! * (1 - mix) + WHITE[ch]! * mix);
      rgba[o + 3] = Math.round((255 * covered) / (SAMPLES * SAMPLES));
    }
  }
  return rgba;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** PNG (RFC 2083): 8-bit RGBA, filter 0 on every row. */
function encodePng(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) raw.set(rgba.subarray(y * size * 4, (y + 1) * size * 4), y * (size * 4 + 1) + 1);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", new Uint8Array())]);
}

const ICONS: readonly { file: string; size: number; design: Design }[] = [
  { file: "icon-192.png", size: 192, design: { corner: 0.2, scale: 1 } },
  { file: "icon-512.png", size: 512, design: { corner: 0.2, scale: 1 } },
  { file: "icon-maskable-512.png", size: 512, design: { corner: 0, scale: 0.75 } },
  { file: "apple-touch-icon-180.png", size: 180, design: { corner: 0, scale: 0.85 } },
];

for (const icon of ICONS) {
  const path = new URL(`../../public/icons/${icon.file}`, import.meta.url);
  writeFileSync(path, encodePng(icon.size, render(icon.size, icon.design)));
  process.stdout.write(`wrote ${path.pathname}\n`);
}
