/**
 * Reads the parts of a WebAssembly binary the task ABI cares about (types, imports, functions,
 * memory, exports), per the WebAssembly core spec 1.0/2.0, chapter 5 "Binary Format".
 * The JS API only reports import/export names and kinds, not function signatures or memory
 * limits, so the host parses them itself. Input is untrusted: every read is bounds-checked and
 * a problem is returned as a value, never thrown to the caller.
 */

export type ValueType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";
export type ExternKind = "func" | "table" | "memory" | "global" | "tag";

export interface FuncType {
  readonly params: readonly ValueType[];
  readonly results: readonly ValueType[];
}

export interface MemoryLimits {
  readonly minPages: number;
  readonly maxPages: number | undefined;
  /** Shared (threads) or 64-bit memories; the ABI allows neither. */
  readonly unsupported: boolean;
}

export interface Extern {
  readonly module?: string;
  readonly name: string;
  readonly kind: ExternKind;
  /** Set for functions. */
  readonly type?: FuncType;
}

/** Where a section lies in the binary: `start` at its id byte, `body` after its size, `end` past it. */
export interface SectionSpan {
  readonly id: number;
  readonly start: number;
  readonly body: number;
  readonly end: number;
}

export interface ModuleShape {
  readonly imports: readonly Extern[];
  readonly exports: readonly Extern[];
  /** Memories defined by the module itself (not imported). */
  readonly memories: readonly MemoryLimits[];
  /** Every section in binary order, so the host can rewrite one and copy the rest. */
  readonly sections: readonly SectionSpan[];
}

export type ShapeResult = { ok: true; shape: ModuleShape } | { ok: false; reason: "malformed"; message: string };

class Malformed extends Error {}

const VALUE_TYPES: Record<number, ValueType> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};
const KINDS: readonly ExternKind[] = ["func", "table", "memory", "global", "tag"];

class Reader {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  byte(): number {
    if (this.pos >= this.end) throw new Malformed(`unexpected end at byte ${this.pos}`);
    return this.bytes[this.pos++]!;
  }
  /** Unsigned LEB128, at most 5 bytes for a u32 (spec 5.2.2). */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw new Malformed(`integer too large at byte ${this.pos}`);
        return result;
      }
    }
    throw new Malformed(`integer too long at byte ${this.pos}`);
  }
  take(length: number): Uint8Array {
    if (this.pos + length > this.end) throw new Malformed(`length ${length} runs past the end at byte ${this.pos}`);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
  name(): string {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(this.take(this.u32()));
    } catch (error) {
      if (error instanceof Malformed) throw error;
      throw new Malformed(`a name is not valid UTF-8 at byte ${this.pos}`);
    }
  }
  valueType(): ValueType {
    const code = this.byte();
    const type = VALUE_TYPES[code];
    if (!type) throw new Malformed(`unsupported value type 0x${code.toString(16)}`);
    return type;
  }
  vector<T>(read: () => T): T[] {
    const count = this.u32();
    // Every element takes at least one byte: a larger count is a lie that would make us loop.
    if (count > this.end - this.pos) throw new Malformed(`vector of ${count} elements cannot fit`);
    return Array.from({ length: count }, read);
  }
  limits(): MemoryLimits {
    const flags = this.byte();
    if (flags > 0x07) throw new Malformed(`unknown limits flags 0x${flags.toString(16)}`);
    const minPages = this.u32();
    const maxPages = flags & 1 ? this.u32() : undefined;
    return { minPages, maxPages, unsupported: (flags & 0x06) !== 0 };
  }
}

const SECTION = { type: 1, import: 2, function: 3, memory: 5, export: 7 } as const;
/**
 * The order non-custom sections must come in, each at most once (spec 5.5.2, with the data count
 * section of 2.0 and the tag section of the exception-handling proposal). Checked so that a
 * module the engine would refuse for its layout cannot become valid when the host drops its
 * memory section.
 */
const SECTION_ORDER: readonly number[] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

export function readModuleShape(bytes: Uint8Array): ShapeResult {
  try {
    return { ok: true, shape: parse(bytes) };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, reason: "malformed", message: error.message };
    throw error;
  }
}

function parse(bytes: Uint8Array): ModuleShape {
  const r = new Reader(bytes);
  const header = r.take(8);
  const magicAndVersion = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (!magicAndVersion.every((b, i) => header[i] === b)) throw new Malformed("not a WebAssembly 1.0 binary (bad magic or version)");
  let types: FuncType[] = [];
  let imports: Extern[] = [];
  let functionTypes: number[] = [];
  let memories: MemoryLimits[] = [];
  const sections: SectionSpan[] = [];
  let rawExports: { name: string; kind: ExternKind; index: number }[] = [];
  let lastRank = -1;
  while (!r.done) {
    const start = r.pos;
    const id = r.byte();
    const size = r.u32();
    const body = new Reader(bytes, r.pos, r.pos + size);
    r.take(size);
    if (id !== 0) {
      const rank = SECTION_ORDER.indexOf(id);
      if (rank < 0) throw new Malformed(`unknown section id ${id} at byte ${start}`);
      if (rank <= lastRank) throw new Malformed(`section ${id} at byte ${start} is repeated or out of order`);
      lastRank = rank;
    }
    sections.push({ id, start, body: body.pos, end: r.pos });
    if (id === SECTION.type) types = body.vector(() => funcType(body));
    else if (id === SECTION.import) imports = body.vector(() => importEntry(body, types));
    else if (id === SECTION.function) functionTypes = body.vector(() => body.u32());
    else if (id === SECTION.memory) memories = body.vector(() => body.limits());
    else if (id === SECTION.export) rawExports = body.vector(() => ({ name: body.name(), kind: kind(body.byte()), index: body.u32() }));
    else continue;
    // A section's size must match its content exactly (spec 5.5.2); the host rewrites some of
    // these sections, and must not turn bytes the engine would refuse into a valid module.
    if (!body.done) throw new Malformed(`section ${id} at byte ${start} is longer than its content`);
  }
  const importedFuncs = imports.filter((i) => i.kind === "func");
  const typeOfFunc = (index: number): FuncType | undefined =>
    index < importedFuncs.length ? importedFuncs[index]!.type : types[functionTypes[index - importedFuncs.length]!];
  const exports = rawExports.map((e) => (e.kind === "func" ? { ...e, type: typeOfFunc(e.index) } : e));
  return { imports, exports, memories, sections };
}

function funcType(r: Reader): FuncType {
  const form = r.byte();
  if (form !== 0x60) throw new Malformed(`unsupported type form 0x${form.toString(16)}`);
  return { params: r.vector(() => r.valueType()), results: r.vector(() => r.valueType()) };
}

function kind(code: number): ExternKind {
  const k = KINDS[code];
  if (!k) throw new Malformed(`unknown import/export kind ${code}`);
  return k;
}

function importEntry(r: Reader, types: FuncType[]): Extern {
  const module = r.name();
  const name = r.name();
  const k = kind(r.byte());
  if (k === "func") {
    const index = r.u32();
    const type = types[index];
    if (!type) throw new Malformed(`import ${module}.${name} names type ${index}, which does not exist`);
    return { module, name, kind: k, type };
  }
  if (k === "table") {
    r.valueType();
    r.limits();
  } else if (k === "memory") r.limits();
  else if (k === "global") {
    r.valueType();
    r.byte();
  } else {
    r.byte();
    r.u32();
  }
  return { module, name, kind: k };
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return out;
}

function nameBytes(name: string): number[] {
  const utf8 = new TextEncoder().encode(name);
  return [...leb(utf8.length), ...utf8];
}

const section = (id: number, content: readonly number[] | Uint8Array): number[] => [id, ...leb(content.length), ...content];

export interface ImportedMemory {
  readonly module: string;
  readonly name: string;
  readonly minPages: number;
  readonly maxPages: number;
}

/**
 * Returns a copy of the binary whose one memory is imported (as `memory.module`.`memory.name`,
 * with the given limits) instead of defined by the module. Memory indices are unchanged: the
 * module defined exactly one memory and imported none, so the imported one is memory 0, and
 * function indices do not count memories. The import section comes right after the type section
 * (spec 5.5.2: sections in order; custom sections anywhere).
 */
export function withImportedMemory(bytes: Uint8Array, shape: ModuleShape, memory: ImportedMemory): Uint8Array<ArrayBuffer> {
  if (shape.memories.length !== 1 || shape.imports.some((i) => i.kind === "memory")) throw new Error("withImportedMemory: the module must define exactly one memory and import none");
  const entry = [...nameBytes(memory.module), ...nameBytes(memory.name), 0x02, 0x01, ...leb(memory.minPages), ...leb(memory.maxPages)];
  const importsSpan = shape.sections.find((s) => s.id === SECTION.import);
  let imports = new Uint8Array(section(SECTION.import, [...leb(1), ...entry]));
  if (importsSpan) {
    const body = new Reader(bytes, importsSpan.body, importsSpan.end);
    const count = body.u32();
    imports = new Uint8Array(section(SECTION.import, [...leb(count + 1), ...bytes.subarray(body.pos, importsSpan.end), ...entry]));
  }
  const types = shape.sections.find((s) => s.id === SECTION.type);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  if (!importsSpan && !types) parts.push(imports);
  for (const span of shape.sections) {
    if (span.id === SECTION.memory) continue;
    parts.push(span === importsSpan ? imports : bytes.subarray(span.start, span.end));
    if (!importsSpan && span === types) parts.push(imports);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
