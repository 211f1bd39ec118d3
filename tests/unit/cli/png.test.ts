import { describe, expect, it } from "vitest";
import { inflateSync } from "node:zlib";
import { crc32, encodePng } from "../../../src/cli/png.ts";
import { assemble, IMAGE, tiles } from "../../../src/cli/demo-report.ts";

/** Splits a PNG into its chunks, checking each CRC, and returns them by type. */
function chunks(png: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const found = new Map<string, Uint8Array>();
  let offset = 8;
  while (offset < png.length) {
    const length = view.getUint32(offset);
    const type = new TextDecoder().decode(png.subarray(offset + 4, offset + 8));
    const data = png.subarray(offset + 8, offset + 8 + length);
    expect(view.getUint32(offset + 8 + length)).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
    found.set(type, data);
    offset += 12 + length;
  }
  return found;
}

describe("PNG writer", () => {
  it("computes the CRC-32 of the standard check string", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("writes a signature, IHDR, one IDAT of filtered rows and IEND", () => {
    const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => i * 7);
    const png = encodePng(3, 2, rgba);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const parts = chunks(png);
    expect([...parts.keys()]).toEqual(["IHDR", "IDAT", "IEND"]);
    expect([...parts.get("IHDR")!]).toEqual([0, 0, 0, 3, 0, 0, 0, 2, 8, 6, 0, 0, 0]);
    const raw = inflateSync(parts.get("IDAT")!);
    expect([...raw]).toEqual([0, ...rgba.subarray(0, 12), 0, ...rgba.subarray(12)]);
  });

  it("refuses pixel data of the wrong size", () => {
    expect(() => encodePng(2, 2, new Uint8Array(15))).toThrow(RangeError);
  });
});

describe("demo image", () => {
  it("places every tile at its own position in the assembled image", () => {
    const all = tiles();
    expect(all).toHaveLength(IMAGE.tilesX * IMAGE.tilesY);
    const w = IMAGE.width / IMAGE.tilesX;
    const h = IMAGE.height / IMAGE.tilesY;
    const image = assemble(all.map((tile, i) => ({ tile, rgba: new Uint8Array(w * h * 4).fill(i + 1) })));
    for (const [i, tile] of all.entries()) {
      const corner = ((tile.y * h + h - 1) * IMAGE.width + tile.x * w + w - 1) * 4;
      expect(image[corner]).toBe(i + 1);
    }
  });
});
