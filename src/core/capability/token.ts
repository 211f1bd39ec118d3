/**
 * Strict decoding of one UCAN 0.8.1 token (JWT form, the one `@ucans/ucans` 0.12 speaks).
 * @ucans/core's `parse` runs a compatibility layer that accepts older forms and does not check
 * `typ`, `aud` or capability syntax (shared/TOOLCHAIN.md, UCAN); this decoder checks every field
 * and says which one was wrong. Signatures and chains are checked in `chain.ts`.
 */
import { fromUtf8 } from "../crypto/index.ts";
import { parseDidKey, type Did } from "../identity/did-key.ts";
import { refuse, type Refusal } from "./refusal.ts";

export const UCAN_VERSION = "0.8.1";
/** Hostile-input bounds: a depth-8 pool chain is ~30 KB; anything far larger is refused unread. */
export const MAX_TOKEN_LENGTH = 64 * 1024;
const MAX_PROOFS = 8;
const MAX_CAPABILITIES = 32;

export interface EncodedCapability {
  readonly with: string;
  readonly can: string;
}

/** A decoded token whose every field has the right type and syntax; not yet signature-checked. */
export interface UcanToken {
  readonly encoded: string;
  /** `header.payload`, the bytes the signature covers. */
  readonly signedData: string;
  readonly signature: Uint8Array;
  readonly iss: Did;
  readonly issuerKey: Uint8Array;
  readonly aud: Did;
  readonly exp: number;
  readonly nbf: number | undefined;
  readonly att: readonly EncodedCapability[];
  readonly fct: readonly Record<string, unknown>[];
  readonly prf: readonly string[];
}

export type DecodeResult = { ok: true; token: UcanToken } | Refusal;

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * Decodes unpadded base64url to the "binary string" `atob` returns (one character per byte),
 * refusing non-canonical trailing bits: otherwise one signature would have several spellings,
 * hence several token hashes, and could slip past a revocation. `atob` (Node and browsers) is
 * several times faster here than a JS decoder, and token decoding is most of a cold chain check
 * besides the signatures.
 */
function decodeBinary(segment: string): string | undefined {
  const tail = segment.length % 4;
  if (tail === 1 || !BASE64URL.test(segment)) return undefined;
  if (tail !== 0 && (ALPHABET.indexOf(segment[segment.length - 1]!) & (tail === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  return atob(segment.replaceAll("-", "+").replaceAll("_", "/"));
}

function binaryToBytes(binary: string): Uint8Array {
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function decodeSegment(segment: string): Uint8Array | undefined {
  const binary = decodeBinary(segment);
  return binary === undefined ? undefined : binaryToBytes(binary);
}

const NON_ASCII = /[^\x00-\x7f]/;

function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  const binary = decodeBinary(segment);
  if (binary === undefined) return undefined;
  try {
    // A token's JSON is ASCII but for unusual facts; then the binary string already is the text,
    // and a byte copy plus a UTF-8 decode (a third of the decoding time) is skipped.
    const text = NON_ASCII.test(binary) ? fromUtf8(binaryToBytes(binary)) : binary;
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const malformed = (what: string): Refusal => refuse("malformed", `not a valid UCAN: ${what}`);

function checkHeader(header: Record<string, unknown>): Refusal | undefined {
  if (header.alg !== "EdDSA") return malformed(`header alg must be "EdDSA", got ${JSON.stringify(header.alg)}`);
  if (header.typ !== "JWT") return malformed(`header typ must be "JWT", got ${JSON.stringify(header.typ)}`);
  if (typeof header.ucv !== "string") return malformed("header ucv must be a version string");
  if (header.ucv !== UCAN_VERSION) return refuse("unsupported-version", `UCAN version ${JSON.stringify(header.ucv)} is not supported (EdgePool speaks ${UCAN_VERSION})`);
  return undefined;
}

const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
const ABILITY = /^([A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)+|\*)$/;

function checkCapabilities(att: unknown): Refusal | EncodedCapability[] {
  if (!Array.isArray(att)) return malformed("payload att must be an array");
  if (att.length > MAX_CAPABILITIES) return malformed(`more than ${MAX_CAPABILITIES} capabilities`);
  const out: EncodedCapability[] = [];
  for (const cap of att) {
    if (typeof cap !== "object" || cap === null) return malformed("a capability must be an object { with, can }");
    const { with: resource, can } = cap as Record<string, unknown>;
    if (typeof resource !== "string" || !URI.test(resource)) return malformed(`capability resource ${JSON.stringify(resource)} is not a URI`);
    if (typeof can !== "string" || !ABILITY.test(can)) return malformed(`capability ability ${JSON.stringify(can)} is not namespaced (ns/name)`);
    out.push({ with: resource, can });
  }
  return out;
}

function checkDid(value: unknown, field: string): Refusal | { ok: true; did: Did; publicKey: Uint8Array } {
  const parsed = parseDidKey(value);
  return parsed.ok ? parsed : malformed(`payload ${field} is not a usable did:key (${parsed.message})`);
}

function checkPayload(payload: Record<string, unknown>): Refusal | Omit<UcanToken, "encoded" | "signedData" | "signature"> {
  const iss = checkDid(payload.iss, "iss");
  if (!iss.ok) return iss;
  const aud = checkDid(payload.aud, "aud");
  if (!aud.ok) return aud;
  if (!isTime(payload.exp)) return malformed("payload exp must be a whole number of seconds");
  if (payload.nbf !== undefined && !isTime(payload.nbf)) return malformed("payload nbf must be a whole number of seconds");
  if (payload.nnc !== undefined && typeof payload.nnc !== "string") return malformed("payload nnc must be a string");
  const fct = payload.fct ?? [];
  if (!Array.isArray(fct) || !fct.every((f) => typeof f === "object" && f !== null && !Array.isArray(f))) return malformed("payload fct must be an array of objects");
  const prf = payload.prf;
  if (!Array.isArray(prf) || !prf.every((p) => typeof p === "string")) return malformed("payload prf must be an array of token strings");
  if (prf.length > MAX_PROOFS) return malformed(`more than ${MAX_PROOFS} proofs`);
  const att = checkCapabilities(payload.att);
  if ("ok" in att) return att;
  return { iss: iss.did, issuerKey: iss.publicKey, aud: aud.did, exp: payload.exp, nbf: payload.nbf as number | undefined, att, fct: fct as Record<string, unknown>[], prf: prf as string[] };
}

/** Decodes and type-checks one token; never throws on hostile input. */
export function decodeToken(encoded: unknown): DecodeResult {
  if (typeof encoded !== "string") return malformed("a token must be a string");
  if (encoded.length > MAX_TOKEN_LENGTH) return malformed(`token longer than ${MAX_TOKEN_LENGTH} characters`);
  const parts = encoded.split(".");
  if (parts.length !== 3) return malformed("expected three dot-separated base64url parts");
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJsonObject(headerPart);
  if (!header) return malformed("the header is not base64url-encoded JSON");
  const payload = decodeJsonObject(payloadPart);
  if (!payload) return malformed("the payload is not base64url-encoded JSON");
  const signature = decodeSegment(signaturePart);
  if (!signature || signature.length !== 64) return malformed("the signature is not 64 base64url-encoded bytes");
  const headerProblem = checkHeader(header);
  if (headerProblem) return headerProblem;
  const fields = checkPayload(payload);
  if ("ok" in fields) return fields;
  return { ok: true, token: { encoded, signedData: `${headerPart}.${payloadPart}`, signature, ...fields } };
}
