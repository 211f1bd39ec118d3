/**
 * Body schemas as data: each kind's body is a map with exactly the listed fields, each of one of a
 * few types. The same table drives validation here and the JSON Schema in ledger/schema.json, so
 * the specification and the code cannot drift apart.
 */
import { parseDidKey } from "../identity/did-key.ts";

export type FieldSpec =
  | { readonly type: "string"; readonly min: number; readonly max: number; readonly optional?: boolean }
  | { readonly type: "int"; readonly min: number; readonly max: number; readonly optional?: boolean }
  | { readonly type: "bytes"; readonly min: number; readonly max: number; readonly optional?: boolean }
  | { readonly type: "did"; readonly optional?: boolean }
  | { readonly type: "entry-id"; readonly optional?: boolean }
  | { readonly type: "enum-list"; readonly values: readonly string[]; readonly optional?: boolean }
  | { readonly type: "map"; readonly fields: BodySchema; readonly optional?: boolean }
  /** A list of at most `max` distinct strings of 1..`itemMax` characters (may be empty). */
  | { readonly type: "string-list"; readonly max: number; readonly itemMax: number; readonly optional?: boolean }
  /** did:key -> sequence number (>= 0), at most `max` pairs (capability: a revocation's honoured sequences). */
  | { readonly type: "seq-map"; readonly max: number; readonly optional?: boolean };

export type BodySchema = Readonly<Record<string, FieldSpec>>;

/** The largest integer any field may hold: 2^53 - 1 keeps every value exact in every JS engine. */
export const MAX_INT = Number.MAX_SAFE_INTEGER;

/** Checks a body against its schema; returns a message naming the first wrong field, or undefined. */
export function checkBody(schema: BodySchema, body: unknown, path = "body"): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body) || body instanceof Uint8Array) return `${path} must be a map`;
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(schema, key)) return `${path} has an unknown field '${key.slice(0, 40)}'`;
  }
  for (const [name, spec] of Object.entries(schema)) {
    const value = Object.hasOwn(record, name) ? record[name] : undefined;
    if (value === undefined) {
      if (spec.optional) continue;
      return `${path}.${name} is missing`;
    }
    const problem = checkField(spec, value, `${path}.${name}`);
    if (problem) return problem;
  }
  return undefined;
}

function checkField(spec: FieldSpec, value: unknown, path: string): string | undefined {
  switch (spec.type) {
    case "string":
      return typeof value === "string" && value.length >= spec.min && value.length <= spec.max
        ? undefined
        : `${path} must be a string of ${spec.min}..${spec.max} characters`;
    case "int":
      return Number.isSafeInteger(value) && (value as number) >= spec.min && (value as number) <= spec.max
        ? undefined
        : `${path} must be an integer in ${spec.min}..${spec.max}`;
    case "bytes":
      return value instanceof Uint8Array && value.length >= spec.min && value.length <= spec.max
        ? undefined
        : `${path} must be ${spec.min === spec.max ? spec.min : `${spec.min}..${spec.max}`} bytes`;
    case "did":
      return parseDidKey(value).ok ? undefined : `${path} must be an Ed25519 did:key`;
    case "entry-id":
      return isEntryId(value) ? undefined : `${path} must be an entry id (CIDv1 dag-cbor sha2-256, base32)`;
    case "enum-list":
      return isEnumList(value, spec.values) ? undefined : `${path} must be a non-empty list of distinct values from ${spec.values.join(", ")}`;
    case "map":
      return checkBody(spec.fields, value, path);
    case "string-list":
      return isStringList(value, spec.max, spec.itemMax) ? undefined : `${path} must be a list of at most ${spec.max} distinct strings of 1..${spec.itemMax} characters`;
    case "seq-map":
      return isSeqMap(value, spec.max) ? undefined : `${path} must map at most ${spec.max} Ed25519 did:keys to sequence numbers`;
  }
}

function isSeqMap(value: unknown, max: number): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Uint8Array) return false;
  const pairs = Object.entries(value);
  return pairs.length <= max && pairs.every(([did, seq]) => parseDidKey(did).ok && Number.isSafeInteger(seq) && (seq as number) >= 0);
}

function isStringList(value: unknown, max: number, itemMax: number): boolean {
  if (!Array.isArray(value) || value.length > max) return false;
  return value.every((v) => typeof v === "string" && v.length >= 1 && v.length <= itemMax) && new Set(value).size === value.length;
}

function isEnumList(value: unknown, allowed: readonly string[]): boolean {
  if (!Array.isArray(value) || value.length === 0 || value.length > allowed.length) return false;
  return value.every((v) => typeof v === "string" && allowed.includes(v)) && new Set(value).size === value.length;
}

/**
 * An entry id is the canonical base32 string of a CIDv1 with codec dag-cbor and a sha2-256 digest:
 * "bafyrei" (multibase b, then the header bytes 01 71 12 20), a character holding the header's last
 * two (zero) bits and three digest bits (a-h), 50 digest characters, and a last one holding three
 * digest bits and two zero padding bits (a, e, i, m, q, u, y or 4).
 */
const ENTRY_ID = /^bafyrei[a-h][a-z2-7]{50}[aeimquy4]$/;
export const isEntryId = (value: unknown): boolean => typeof value === "string" && ENTRY_ID.test(value);

/** JSON Schema (draft 2020-12) of one body, for ledger/schema.json. Bytes are CBOR byte strings. */
export function toJsonSchema(schema: BodySchema): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) properties[name] = fieldJsonSchema(spec);
  const required = Object.entries(schema).filter(([, s]) => !s.optional).map(([n]) => n);
  return { type: "object", additionalProperties: false, required, properties };
}

function fieldJsonSchema(spec: FieldSpec): Record<string, unknown> {
  switch (spec.type) {
    case "string":
      return { type: "string", minLength: spec.min, maxLength: spec.max };
    case "int":
      return { type: "integer", minimum: spec.min, maximum: spec.max };
    case "bytes":
      return { type: "string", contentEncoding: "cbor-bytes", minLength: spec.min, maxLength: spec.max };
    case "did":
      return { type: "string", pattern: "^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$" };
    case "entry-id":
      return { type: "string", pattern: "^bafyrei[a-h][a-z2-7]{50}[aeimquy4]$" };
    case "enum-list":
      return { type: "array", uniqueItems: true, minItems: 1, items: { enum: [...spec.values] } };
    case "map":
      return toJsonSchema(spec.fields);
    case "string-list":
      return { type: "array", uniqueItems: true, maxItems: spec.max, items: { type: "string", minLength: 1, maxLength: spec.itemMax } };
    case "seq-map":
      return { type: "object", maxProperties: spec.max, propertyNames: { pattern: "^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$" }, additionalProperties: { type: "integer", minimum: 0, maximum: MAX_INT } };
  }
}
