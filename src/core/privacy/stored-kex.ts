/**
 * A member key-agreement key for a node whose identity key cannot give one: a browser's Ed25519
 * key is a non-extractable CryptoKey, so no X25519 key can be derived from it (a CLI node derives
 * its own from its seed, member-keys.ts). This one is random, made once per identity and kept in
 * the node's own storage beside its epoch keys; it never leaves the device. Losing it (cleared
 * site data) means new lockboxes no longer open there: the member rejoins or publishes a new one
 * with member.rekey.
 */
import type { StorageAdapterInterface } from "@automerge/automerge-repo";
import { kexKeyPairFromSecret, randomBytes, X25519_KEY_LENGTH, type KexKeyPair } from "../crypto/index.ts";
import type { Did } from "../identity/did-key.ts";

const NAMESPACE = "edgepool-member-kex";

export async function storedMemberKex(storage: StorageAdapterInterface, did: Did): Promise<KexKeyPair> {
  const stored = await storage.load([NAMESPACE, did]);
  if (stored?.length === X25519_KEY_LENGTH) return kexKeyPairFromSecret(stored);
  const secret = randomBytes(X25519_KEY_LENGTH);
  await storage.save([NAMESPACE, did], secret);
  return kexKeyPairFromSecret(secret);
}
