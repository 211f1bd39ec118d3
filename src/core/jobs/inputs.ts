/** A job's module, input and its verdict's output, inline in entries or as blobs, checked against their hashes. */
import { bytesEqual, bytesToHex, hexToBytes, sha256 } from "../crypto/index.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { EntryId } from "../ledger/types.ts";
import type { BlobHash, BlobResult } from "./blobs.ts";
import type { BlobRef, JobBlobs } from "./job-blobs.ts";
import { decodeSealedRef } from "./sealed-ref.ts";

export type BytesResult = BlobResult | { ok: false; reason: "unknown-job" | "no-verdict"; message: string };

interface SubmitBody {
  readonly task: string;
  readonly input: Uint8Array;
  readonly blob?: string;
  readonly sealed?: { readonly task?: Uint8Array; readonly blob?: Uint8Array };
}

const refOf = (hash: string, sealed: Uint8Array | undefined): BlobRef => {
  const opened = decodeSealedRef(sealed);
  return opened ? { hash: hash as BlobHash, sealed: opened } : { hash: hash as BlobHash };
};

function submitBody(ledger: Ledger, job: EntryId): SubmitBody | undefined {
  const submit = ledger.entry(job);
  return submit?.entry.kind === "job.submit" ? (submit.entry.body as unknown as SubmitBody) : undefined;
}

export async function readJobInput(ledger: Ledger, blobs: JobBlobs, job: EntryId): Promise<BytesResult> {
  const body = submitBody(ledger, job);
  if (!body) return { ok: false, reason: "unknown-job", message: `this node holds no job ${job}` };
  return body.blob === undefined ? { ok: true, bytes: body.input } : blobs.get(refOf(body.blob, body.sealed?.blob));
}

/** The job's task module (`task` names it; a private pool's submit also says where its sealed copy is). */
export function readJobTask(ledger: Ledger, blobs: JobBlobs, job: EntryId, task: string): Promise<BlobResult> {
  return blobs.get(refOf(task, submitBody(ledger, job)?.sealed?.task));
}

/**
 * The accepted output of a done job: inline in a matching reveal when it was small, else the blob
 * named by its hash (any peer may serve it; the hash decides). In a private pool each matching
 * reveal says where its worker's sealed copy is; the first that arrives wins.
 */
export async function readJobOutput(ledger: Ledger, blobs: JobBlobs, job: EntryId, timeoutMs?: number): Promise<BytesResult> {
  const state = ledger.state.jobs[job];
  if (!state) return { ok: false, reason: "unknown-job", message: `this node holds no job ${job}` };
  if (!state.verdict) return { ok: false, reason: "no-verdict", message: `job ${job} has no verdict yet` };
  const expected = hexToBytes(state.verdict.output);
  const hash = bytesToHex(expected) as BlobHash;
  const sealed: BlobRef[] = [];
  for (const signed of ledger.entries()) {
    const { kind, body } = signed.entry;
    if (kind !== "result.reveal" || body.job !== job || !(body.output instanceof Uint8Array) || !bytesEqual(body.output, expected)) continue;
    if (body.data instanceof Uint8Array && bytesEqual(sha256(body.data), expected)) return { ok: true, bytes: body.data };
    const ref = refOf(hash, body.sealed as Uint8Array | undefined);
    if (ref.sealed) sealed.push(ref);
  }
  const wait = timeoutMs === undefined ? {} : { timeoutMs };
  if (sealed.length === 0) return blobs.get({ hash }, wait);
  return firstOpened(sealed.map((ref) => blobs.get(ref, wait)));
}

/** The first successful result, else the last failure. */
function firstOpened(results: readonly Promise<BlobResult>[]): Promise<BlobResult> {
  return new Promise((resolve) => {
    let left = results.length;
    for (const pending of results) {
      void pending.then((result) => {
        left--;
        if (result.ok || left === 0) resolve(result);
      });
    }
  });
}
