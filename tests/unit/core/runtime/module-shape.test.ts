import { describe, expect, it } from "vitest";
import { readModuleShape, withImportedMemory } from "../../../../src/core/runtime/module-shape.ts";
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

describe("readModuleShape refuses layouts the engine refuses", () => {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const memorySection = [0x05, 0x03, 0x01, 0x00, 0x01];
  const typeSection = [0x01, 0x01, 0x00];

  it("a section repeated or out of order", () => {
    expect(readModuleShape(new Uint8Array([...header, ...memorySection, ...memorySection]))).toMatchObject({ ok: false, message: /repeated or out of order/ });
    expect(readModuleShape(new Uint8Array([...header, ...memorySection, ...typeSection]))).toMatchObject({ ok: false, message: /repeated or out of order/ });
  });

  it("a section longer than its content", () => {
    expect(readModuleShape(new Uint8Array([...header, 0x05, 0x04, 0x01, 0x00, 0x01, 0x00]))).toMatchObject({ ok: false, message: /longer than its content/ });
  });

  it("an unknown section id", () => {
    expect(readModuleShape(new Uint8Array([...header, 0x0e, 0x00]))).toMatchObject({ ok: false, message: /unknown section id 14/ });
  });

  it("but accepts custom sections anywhere", () => {
    const custom = [0x00, 0x02, 0x01, 0x78];
    expect(readModuleShape(new Uint8Array([...header, ...custom, ...typeSection, ...custom, ...memorySection, ...custom])).ok).toBe(true);
  });
});

describe("withImportedMemory", () => {
  const memory = { module: "edgepool", name: "memory", minPages: 1, maxPages: 300 };

  it("turns the defined memory into an import with the given limits, keeping exports and validity", () => {
    for (const bytes of [sampleTaskBytes("mandelbrot"), assembleHostile("stateful")]) {
      const read = readModuleShape(bytes);
      if (!read.ok) throw new Error(read.message);
      const rewritten = withImportedMemory(bytes, read.shape, memory);
      expect(WebAssembly.validate(rewritten)).toBe(true);
      const again = readModuleShape(rewritten);
      if (!again.ok) throw new Error(again.message);
      expect(again.shape.memories).toEqual([]);
      expect(again.shape.imports.at(-1)).toEqual({ module: "edgepool", name: "memory", kind: "memory" });
      expect(again.shape.imports.slice(0, -1)).toEqual(read.shape.imports);
      expect(again.shape.exports).toEqual(read.shape.exports);
    }
  });

  it("adds an import section to a module that has no sections before its memory", () => {
    const bytes = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01]);
    const read = readModuleShape(bytes);
    if (!read.ok) throw new Error(read.message);
    const module = new WebAssembly.Module(withImportedMemory(bytes, read.shape, memory));
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: "edgepool", name: "memory", kind: "memory" }]);
  });
});
