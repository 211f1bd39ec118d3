/**
 * My jobs in the chosen pool as runes: the node's job client's list, refreshed on every ledger
 * change and once a second (statuses depend on the clock: leases and deadlines), plus submit and
 * result. A job whose entry no peer has confirmed yet shows as "queued on this device" (UX.md 11),
 * and closing the tab while one exists asks once for confirmation.
 */
import type { JobView, SubmitRequest } from "../core/jobs/client.ts";
import type { EntryId } from "../core/ledger/types.ts";
import { readJobInput } from "../core/jobs/inputs.ts";
import type { EdgeNode } from "../core/node.ts";
import { poolsState } from "./pools.svelte.ts";
import { OTHER_TAB_WRITES } from "./writer.svelte.ts";

const REFRESH_MS = 1000;
/** How long a job may wait for a verdict. */
export const JOB_DEADLINE_MS = 15 * 60_000;

let jobs = $state<JobView[]>([]);
/** Submissions being written on this device: listed at once (UX.md 11: within 100 ms), before the ledger holds them. */
let pending = $state<{ readonly key: number; readonly submitted: number }[]>([]);
let nextKey = 0;

function refresh(node: EdgeNode): void {
  jobs = node.jobs.list(true);
}

/** True while some job of mine exists only on this device (no peer acknowledged the ledger yet). */
export const hasUnsentJobs = (): boolean => pending.length > 0 || (poolsState.sync.status !== "up-to-date" && jobs.some((j) => j.status === "queued"));

addEventListener("beforeunload", (event) => {
  if (hasUnsentJobs()) event.preventDefault();
});

export type SubmitOutcome = { ok: true; job: EntryId } | { ok: false; message: string };

export const jobsState = {
  get mine(): readonly JobView[] {
    return jobs;
  },
  get pending(): readonly { readonly key: number; readonly submitted: number }[] {
    return pending;
  },
  /** Follows the chosen pool's node while the Jobs screen shows; returns the stop. */
  watch(node: EdgeNode): () => void {
    refresh(node);
    const unsubscribe = node.ledger.subscribe(() => refresh(node));
    const timer = setInterval(() => refresh(node), REFRESH_MS);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  },
  async submit(node: EdgeNode, module: Uint8Array, input: Uint8Array): Promise<SubmitOutcome> {
    const settings = node.ledger.state.pool?.settings;
    if (!settings) return { ok: false, message: "this device has not received the pool yet; connect to its relay first" };
    const request: SubmitRequest = { module, input, replicas: settings.replication, reward: settings.rewardPerJob, deadline: Date.now() + JOB_DEADLINE_MS };
    const key = nextKey++;
    pending = [...pending, { key, submitted: Date.now() }];
    const submitted = await node.jobs.submit(request);
    pending = pending.filter((p) => p.key !== key);
    refresh(node);
    if (submitted.ok) return submitted;
    return { ok: false, message: submitted.reason === "read-only" ? OTHER_TAB_WRITES : `${submitted.reason}: ${submitted.message}` };
  },
  async result(node: EdgeNode, job: EntryId): Promise<{ ok: true; output: Uint8Array; input: Uint8Array } | { ok: false; message: string }> {
    const [output, input] = await Promise.all([node.jobs.result(job, 10_000), readJobInput(node.ledger, node.blobs, job)]);
    if (!output.ok) return { ok: false, message: output.message };
    if (!input.ok) return { ok: false, message: input.message };
    return { ok: true, output: output.bytes, input: input.bytes };
  },
};
