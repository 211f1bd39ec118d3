/**
 * Proofs by CID (ledger/README.md, "Encoding" and "Transport"): an entry names the UCAN delegation
 * it relies on by the token's CID, and the token itself is stored once per document under that CID.
 * A member's delegation chain is ~1.5 KB; carried inline it was most of every entry's size.
 *
 * A CID only names bytes, so a token is accepted under a CID exactly when it hashes to it: a book
 * of tokens holds facts, not trust (the authoriser still verifies every chain).
 */
import { MAX_TOKEN_LENGTH } from "../capability/token.ts";
import { sha256, utf8 } from "../crypto/index.ts";
import { cidString, RAW } from "./cid.ts";

/** CIDv1 (raw, sha2-256) of a token's UTF-8 bytes, base32 ("bafkrei…", 59 characters). */
export type TokenCid = string & { readonly __brand: "TokenCid" };

const CID_LENGTH = 59;
const CID_PREFIX = "bafkrei";

export const tokenCid = (token: string): TokenCid => cidOfBytes(utf8(token));

const cidOfBytes = (bytes: Uint8Array): TokenCid => cidString(RAW, sha256(bytes)) as TokenCid;

/** Whether `value` has the form of a token CID (the only proof form an entry may carry). */
export const isTokenCid = (value: unknown): value is TokenCid =>
  typeof value === "string" && value.length === CID_LENGTH && value.startsWith(CID_PREFIX) && /^[a-z2-7]+$/.test(value);

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Token values already found to hash to their key, by the value object: a document keeps the
 * same object for an unchanged value, and every append reads the tokens its entries name, so
 * without this each append hashed ~1.5 KB per token again. What is cached is the decoded string
 * that did hash to the key.
 */
const checked = new WeakMap<Uint8Array, { key: string; token: string }>();

/**
 * A token read from a document under `key`, if the value is the UTF-8 bytes of a token that
 * hashes to the key; undefined for anything else a peer wrote there.
 */
export function tokenUnder(key: string, value: unknown): string | undefined {
  if (!isTokenCid(key) || !(value instanceof Uint8Array) || value.length > MAX_TOKEN_LENGTH) return undefined;
  const known = checked.get(value);
  if (known !== undefined) return known.key === key ? known.token : undefined;
  if (cidOfBytes(value) !== key) return undefined;
  try {
    const token = utf8Decoder.decode(value);
    checked.set(value, { key, token });
    return token;
  } catch {
    return undefined;
  }
}

/** Tokens by CID. Content-addressed, so one book may serve several ledgers and folds. */
export class TokenBook {
  readonly #tokens = new Map<TokenCid, string>();
  /** CID by token, so adding a token already held costs a map lookup, not a hash of ~1.5 KB. */
  readonly #cids = new Map<string, TokenCid>();

  /** Adds a token; returns its CID. */
  add(token: string): TokenCid {
    let cid = this.#cids.get(token);
    if (cid === undefined) {
      cid = tokenCid(token);
      this.#tokens.set(cid, token);
      this.#cids.set(token, cid);
    }
    return cid;
  }

  /** Adds a token read under `cid` (see `tokenUnder`, which checks that it hashes to it). */
  put(cid: TokenCid, token: string): void {
    this.#tokens.set(cid, token);
    this.#cids.set(token, cid);
  }

  get(cid: string): string | undefined {
    return this.#tokens.get(cid as TokenCid);
  }

  has(cid: string): boolean {
    return this.#tokens.has(cid as TokenCid);
  }
}
