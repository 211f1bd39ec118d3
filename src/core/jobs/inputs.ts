/** A job's input and its verdict's output, inline in entries or as blobs, checked against their hashes. */
import { bytesEqual, bytesToHex, hexToBytes, sha256 } from "../crypto/index.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { EntryId } from "../ledger/types.ts";
import type { BlobHash, BlobResult, BlobStore } from "./blobs.ts";

export type BytesResult = BlobResult | { ok: false; reason: "unknown-job" | "no-verdict"; message: string };

export async function readJobInput(ledger: Ledger, blobs: BlobStore, job: EntryId): Promise<BytesResult> {
  const submit = ledger.entry(job);
  if (!submit || submit.entry.kind !== "job.submit") return { ok: false, reason: "unknown-job", message: `this node holds no job ${job}` };
  const body = submit.entry.body as { input: Uint8Array; blob?: string };
  return body.blob === undefined ? { ok: true, bytes: body.input } : blobs.get(body.blob as BlobHash);
}

/**
 * The accepted output of a done job: inline in a matching reveal when it was small, else the blob
 * named by its hash (any peer may serve it; the hash decides).
 */
export async function readJobOutput(ledger: Ledger, blobs: BlobStore, job: EntryId, timeoutMs?: number): Promise<BytesResult> {
  const state = ledger.state.jobs[job];
  if (!state) return { ok: false, reason: "unknown-job", message: `this node holds no job ${job}` };
  if (!state.verdict) return { ok: false, reason: "no-verdict", message: `job ${job} has no verdict yet` };
  const expected = hexToBytes(state.verdict.output);
  for (const signed of ledger.entries()) {
    const { kind, body } = signed.entry;
    if (kind !== "result.reveal" || body.job !== job || !(body.data instanceof Uint8Array)) continue;
    if (bytesEqual(sha256(body.data), expected)) return { ok: true, bytes: body.data };
  }
  return blobs.get(bytesToHex(expected) as BlobHash, timeoutMs === undefined ? {} : { timeoutMs });
}
