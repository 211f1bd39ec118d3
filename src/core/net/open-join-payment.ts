/**
 * Paying for a stranger's join to an open pool (issue 12), the same in the CLI and the app: a
 * proof-of-work stamp solved here (with progress and cancel), or a Privacy Pass token from the first
 * of the pool's issuers that gives one (also what an anonymous submission spends). The fold judges
 * the payment like every other node's.
 */
import { solveJoinStamp } from "../capability/join-stamp.ts";
import { joinTokenChallenge, type TokenSubject } from "../capability/join-token.ts";
import type { PoolId } from "../capability/pool.ts";
import type { Did } from "../identity/did-key.ts";
import type { OpenJoinPolicy, OpenPayment } from "../ledger/open-join.ts";
import { epochOf } from "../ledger/verdict.ts";
import { fetchJoinToken } from "./join-token-fetch.ts";

export interface PaymentOptions {
  /** Pay with a token even where stamps are accepted. */
  readonly preferToken?: boolean;
  readonly onProgress?: (tried: number, expected: number) => void;
  /** Called before asking each issuer. */
  readonly onIssuer?: (url: string) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

export type PaymentResult =
  | { readonly ok: true; readonly payment: OpenPayment; readonly how: "stamp" | "token"; readonly tried?: number }
  | { readonly ok: false; readonly reason: "aborted" | "no-issuer" | "no-token"; readonly message: string };

export type PoolTokenResult = { readonly ok: true; readonly token: Uint8Array } | { readonly ok: false; readonly reason: "no-issuer" | "no-token"; readonly message: string };

/** A token for `subject` (a join or an anonymous submission) from the first of the pool's issuers that gives one. */
export async function fetchPoolToken(issuers: OpenJoinPolicy["issuers"], subject: TokenSubject, epoch: number, onIssuer?: (url: string) => void): Promise<PoolTokenResult> {
  if (issuers.length === 0) return { ok: false, reason: "no-issuer", message: "this pool lists no token issuer" + (subject.purpose === "submit" ? "" : ": pay with a stamp instead") };
  const problems: string[] = [];
  for (const issuer of issuers) {
    onIssuer?.(issuer.url);
    const fetched = await fetchJoinToken(issuer.url, joinTokenChallenge(new URL(issuer.url).host, subject, epoch));
    if (fetched.ok) return { ok: true, token: fetched.token };
    problems.push(`${issuer.url}: ${fetched.message}`);
  }
  return { ok: false, reason: "no-token", message: `no issuer gave a token (${problems.join("; ")})` };
}

export async function payForOpenJoin(policy: OpenJoinPolicy, subject: { pool: PoolId; did: Did }, options: PaymentOptions = {}): Promise<PaymentResult> {
  const epoch = epochOf((options.now ?? Date.now)());
  if (options.preferToken || policy.stampBits === 0) {
    const fetched = await fetchPoolToken(policy.issuers, { ...subject, purpose: "join" }, epoch, options.onIssuer);
    return fetched.ok ? { ok: true, payment: { token: fetched.token }, how: "token" } : fetched;
  }
  const solved = await solveJoinStamp(subject, policy.stampBits, epoch, {
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return solved.ok ? { ok: true, payment: { stamp: solved.stamp }, how: "stamp", tried: solved.tried } : solved;
}
