/**
 * Direct-peer signalling for a private pool (net/direct.ts). Hellos, offers, answers, candidates
 * and blob wants name members' DIDs and addresses, so in a private pool they travel as ephemeral
 * messages on the epoch's sealed document, each sealed with XChaCha20-Poly1305 under a key derived
 * from the epoch secret (the relay forwards ciphertext). Only holders of the epoch's key find the
 * document and open them; a removed member loses both at the rotation. What opens is still only a
 * signed signal: direct.ts checks its signature and membership as in a plain pool.
 */
import { cbor, type DocHandle } from "@automerge/automerge-repo";
import { AEAD_NONCE_LENGTH, aeadOpen, aeadSeal, randomBytes, utf8 } from "../crypto/index.ts";
import { signalKey, type EpochKey } from "./epoch-key.ts";
import type { PrivateLedger } from "./private-ledger.ts";

/** Bigger than any signal (an SDP offer is a few KiB); anything larger is dropped unopened. */
const MAX_SEALED = 64 * 1024;

interface SealedSignal {
  readonly edgepoolSealedSignal: 1;
  readonly keyId: string;
  readonly nonce: Uint8Array;
  readonly box: Uint8Array;
}

const aad = (key: EpochKey): Uint8Array => utf8(`edgepool/private/v1/signal\0${key.pool}\0${key.keyId}`);

export function sealSignal(key: EpochKey, message: unknown): SealedSignal {
  const nonce = randomBytes(AEAD_NONCE_LENGTH);
  return { edgepoolSealedSignal: 1, keyId: key.keyId, nonce, box: aeadSeal(signalKey(key), nonce, cbor.encode(message) as Uint8Array, aad(key)) };
}

/** The signal inside, or undefined for anything that is not one sealed under a key `keyOf` knows. */
export function openSealedSignal(message: unknown, keyOf: (keyId: string) => EpochKey | undefined): unknown {
  const m = message as Partial<SealedSignal> | null;
  if (typeof m !== "object" || m === null || m.edgepoolSealedSignal !== 1 || typeof m.keyId !== "string") return undefined;
  if (!(m.nonce instanceof Uint8Array) || m.nonce.length !== AEAD_NONCE_LENGTH || !(m.box instanceof Uint8Array) || m.box.length > MAX_SEALED) return undefined;
  const key = keyOf(m.keyId);
  const plain = key && aeadOpen(signalKey(key), m.nonce, m.box, aad(key));
  if (!plain) return undefined;
  try {
    return cbor.decode(plain);
  } catch {
    return undefined;
  }
}

/** Signals over a private pool's epoch documents, in the shape net/direct.ts takes (`signals`). */
export function sealedSignals(node: PrivateLedger): { send(message: unknown): void; subscribe(listener: (message: unknown) => void): () => void } {
  const listeners = new Set<(message: unknown) => void>();
  const watched = new Set<DocHandle<unknown>>();
  const onMessage = ({ message }: { message: unknown }): void => {
    const opened = openSealedSignal(message, (id) => node.keyring.byId(id));
    if (opened !== undefined) for (const listener of listeners) listener(opened);
  };
  // A rotation opens a new document: pick it up whenever we speak (hellos go out every few seconds).
  const watchNew = (): void => {
    for (const handle of node.documents() as DocHandle<unknown>[]) {
      if (watched.has(handle)) continue;
      watched.add(handle);
      handle.on("ephemeral-message", onMessage);
    }
  };
  return {
    send(message) {
      watchNew();
      const key = node.sealingKey();
      const handle = key && node.document(key);
      if (handle) handle.broadcast(sealSignal(key, message));
    },
    subscribe(listener) {
      watchNew();
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        for (const handle of watched) handle.off("ephemeral-message", onMessage);
        watched.clear();
      };
    },
  };
}
