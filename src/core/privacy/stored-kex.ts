/**
 * A member's key-agreement key as its node keeps it. A browser's Ed25519 key is a non-extractable
 * CryptoKey, so no X25519 key can be derived from it: the app makes a random one once per identity.
 * A CLI node derives its own from its seed (member-keys.ts) and needs nothing stored, unless it
 * restored a backup whose key differs (one made in the app). Either way the key in use is what the
 * identity backup carries (identity/backup.ts), and importing a backup stores it here, so the
 * restored device opens the lockboxes wrapped for the key the member published. Losing it (cleared
 * site data, a backup from before it carried the key) means new lockboxes no longer open there: the
 * member publishes a new one with member.rekey, or rejoins.
 */
import type { StorageAdapterInterface } from "@automerge/automerge-repo";
import { kexKeyPairFromSecret, randomBytes, X25519_KEY_LENGTH, type KexKeyPair } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";

const NAMESPACE = "edgepool-member-kex";

/** The stored key of `did`, if this node keeps one. */
export async function heldMemberKex(storage: StorageAdapterInterface, did: Did): Promise<KexKeyPair | undefined> {
  const stored = await storage.load([NAMESPACE, did]);
  return stored?.length === X25519_KEY_LENGTH ? kexKeyPairFromSecret(stored) : undefined;
}

/**
 * The key `did` uses: the stored one, else `fallback` (a CLI node's seed-derived key), else a
 * random key made now and stored.
 */
export async function storedMemberKex(storage: StorageAdapterInterface, did: Did, fallback?: KexKeyPair): Promise<KexKeyPair> {
  const held = await heldMemberKex(storage, did);
  if (held) return held;
  if (fallback) return fallback;
  const secret = randomBytes(X25519_KEY_LENGTH);
  await storage.save([NAMESPACE, did], secret);
  return kexKeyPairFromSecret(secret);
}

/** Keeps a restored key (from a backup) as the one `did` uses, replacing any key stored before. */
export async function restoreMemberKex(storage: StorageAdapterInterface, did: Did, secret: Uint8Array): Promise<KexKeyPair> {
  const pair = kexKeyPairFromSecret(secret);
  await storage.save([NAMESPACE, did], secret);
  return pair;
}
