import * as dagCbor from "@ipld/dag-cbor";
import { entryIdOf } from "../../../src/core/ledger/codec.ts";
import type { Entry, SignedEntry } from "../../../src/core/ledger/types.ts";

/** Encodes an entry exactly as given (a forged or altered one), with the id its bytes hash to. */
export function encodeEntryForTest(entry: Entry): SignedEntry {
  const bytes = dagCbor.encode(entry);
  return { id: entryIdOf(bytes), bytes, entry };
}
