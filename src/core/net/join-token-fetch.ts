/**
 * Fetching a join token from an open pool's issuer (RFC 9578): read its directory for the key,
 * blind a request for the challenge, POST it, unblind the response. Runs in the browser and Node.
 * The key in the directory must be the one the pool lists; the caller checks the finished token
 * with `checkJoinToken` before spending a join on it.
 */
import { base64url } from "multiformats/bases/base64";
import { toArrayBufferBytes } from "../crypto/index.ts";

export type FetchTokenResult =
  | { readonly ok: true; readonly token: Uint8Array }
  | { readonly ok: false; readonly reason: "issuer-unreachable" | "issuer-refused" | "bad-directory"; readonly message: string };

const DIRECTORY_PATH = "/.well-known/private-token-issuer-directory";

type DirectoryResult = { readonly ok: true; readonly key: Uint8Array; readonly requestUrl: URL } | { readonly ok: false; readonly reason: "issuer-unreachable" | "bad-directory"; readonly message: string };

/** The issuer's type-2 key and request URL, from its directory (RFC 9578, 4). */
async function readDirectory(issuerUrl: string, fetchImpl: typeof fetch): Promise<DirectoryResult> {
  let base: URL;
  try {
    base = new URL(issuerUrl);
  } catch {
    return { ok: false, reason: "bad-directory", message: `not an issuer URL: ${JSON.stringify(issuerUrl.slice(0, 80))}` };
  }
  let directory: unknown;
  try {
    const response = await fetchImpl(new URL(DIRECTORY_PATH, base));
    if (!response.ok) return { ok: false, reason: "bad-directory", message: `the issuer's directory answered HTTP ${response.status}` };
    directory = await response.json();
  } catch (error) {
    return { ok: false, reason: "issuer-unreachable", message: `cannot reach the issuer at ${base.origin}: ${(error as Error).message}` };
  }
  const keys = (directory as { "token-keys"?: unknown })?.["token-keys"];
  const entry = Array.isArray(keys) ? keys.find((key) => (key as { "token-type"?: unknown })?.["token-type"] === 2) : undefined;
  const encoded = (entry as { "token-key"?: unknown } | undefined)?.["token-key"];
  const path = (directory as { "issuer-request-uri"?: unknown })?.["issuer-request-uri"];
  if (typeof encoded !== "string" || typeof path !== "string") return { ok: false, reason: "bad-directory", message: "the issuer's directory lists no type-2 key or request URI" };
  try {
    return { ok: true, key: base64url.baseDecode(encoded), requestUrl: new URL(path, base) };
  } catch {
    return { ok: false, reason: "bad-directory", message: "the issuer's key is not base64url" };
  }
}

/** The key an issuer publishes, for a pool admin listing it (`pool.issuer`). */
export async function issuerKeyOf(issuerUrl: string, fetchImpl: typeof fetch = fetch): Promise<{ readonly ok: true; readonly key: Uint8Array } | { readonly ok: false; readonly message: string }> {
  const directory = await readDirectory(issuerUrl, fetchImpl);
  return directory.ok ? { ok: true, key: directory.key } : directory;
}

export async function fetchJoinToken(issuerUrl: string, challenge: Uint8Array, fetchImpl: typeof fetch = fetch): Promise<FetchTokenResult> {
  const directory = await readDirectory(issuerUrl, fetchImpl);
  if (!directory.ok) return directory;
  // Loaded here, not at start-up: Privacy Pass costs every CLI process that creates or joins a pool
  // ~0.3 s of CPU to import, and only open pools use it.
  const { blindTokenRequest } = await import("../crypto/blind-rsa-client.ts");
  let pending;
  try {
    pending = await blindTokenRequest(challenge, directory.key);
  } catch (error) {
    return { ok: false, reason: "bad-directory", message: `the issuer's key is unusable: ${(error as Error).message}` };
  }
  let response: Response;
  try {
    response = await fetchImpl(directory.requestUrl, { method: "POST", headers: { "content-type": "application/private-token-request" }, body: toArrayBufferBytes(pending.request) });
  } catch (error) {
    return { ok: false, reason: "issuer-unreachable", message: `cannot reach the issuer at ${directory.requestUrl.origin}: ${(error as Error).message}` };
  }
  if (!response.ok) return { ok: false, reason: "issuer-refused", message: `the issuer refused (HTTP ${response.status}): ${(await response.text()).slice(0, 200)}` };
  try {
    return { ok: true, token: await pending.finalize(new Uint8Array(await response.arrayBuffer())) };
  } catch (error) {
    return { ok: false, reason: "issuer-refused", message: `the issuer's response does not unblind into a token: ${(error as Error).message}` };
  }
}
