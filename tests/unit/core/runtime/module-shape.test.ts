import { describe, expect, it } from "vitest";
import { readModuleShape, withMemoryMaximum } from "../../../../src/core/runtime/module-shape.ts";
import { sampleTaskBytes } from "../../../fixtures/hostile-wasm/sample-tasks.ts";
import { assembleHostile } from "../../../fixtures/hostile-wasm/index.ts";

describe("readModuleShape", () => {
  it("reads imports, function signatures of exports and memory limits of a built task", () => {
    const read = readModuleShape(sampleTaskBytes("wordcount"));
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.shape.imports).toEqual([{ module: "env", name: "abort", kind: "func", type: { params: ["i32", "i32", "i32", "i32"], results: [] } }]);
    const run = read.shape.exports.find((e) => e.name === "run");
    expect(run).toMatchObject({ kind: "func", type: { params: ["i32", "i32"], results: ["i64"] } });
    expect(read.shape.memories).toEqual([{ minPages: 1, maxPages: undefined, unsupported: false }]);
  });

  it("reads a declared maximum", () => {
    const read = readModuleShape(assembleHostile("declared-max-too-big"));
    expect(read.ok && read.shape.memories[0]).toEqual({ minPages: 1, maxPages: 65536, unsupported: false });
  });

  it("reports truncation and bad headers as malformed, never throws", () => {
    const bytes = sampleTaskBytes("sha256");
    for (let cut = 0; cut < bytes.length; cut += 7) {
      const read = readModuleShape(bytes.subarray(0, cut));
      if (!read.ok) expect(read.reason).toBe("malformed");
    }
    expect(readModuleShape(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]))).toMatchObject({ ok: false, message: /bad magic or version/ });
  });

  it("refuses a vector count larger than the bytes left (no loop on a lying length)", () => {
    const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(readModuleShape(bytes)).toMatchObject({ ok: false, message: /cannot fit/ });
  });
});

describe("withMemoryMaximum", () => {
  it("writes the cap as the memory's maximum and leaves a valid module", () => {
    const bytes = sampleTaskBytes("mandelbrot");
    const read = readModuleShape(bytes);
    if (!read.ok) throw new Error(read.message);
    const capped = withMemoryMaximum(bytes, read.shape, 300);
    expect(WebAssembly.validate(capped)).toBe(true);
    const again = readModuleShape(capped);
    expect(again.ok && again.shape.memories).toEqual([{ minPages: 1, maxPages: 300, unsupported: false }]);
    expect(again.ok && again.shape.exports).toEqual(read.shape.exports);
  });
});
