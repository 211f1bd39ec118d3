/**
 * The identity backup as a verified step (UX.md 14): save the encrypted file, then prove it opens
 * (a dry-run import of the saved file with the passphrase) before the step counts as done. The
 * verification is remembered per DID in localStorage. Import restores an identity from a backup,
 * with the key-agreement key private pools wrap their keys for (core/privacy/stored-kex.ts).
 * The format and its checks are src/core/identity/backup.ts; this adapts them to the screen.
 */
import { createBackup, decryptBackup } from "../core/identity/backup.ts";
import type { Did } from "../core/identity/did-key.ts";
import { heldMemberKex, restoreMemberKex, storedMemberKex } from "../core/privacy/stored-kex.ts";
import { appStorage } from "./app-storage.ts";
import type { IdentityStore } from "./identity.svelte.ts";

export const MIN_PASSPHRASE = 8;
const VERIFIED_KEY = "edgepool.backup.verified";

export type BackupStep =
  | { readonly status: "not-saved" }
  | { readonly status: "working"; readonly what: string }
  | { readonly status: "saved"; readonly file: Blob; readonly fileName: string }
  | { readonly status: "verified"; readonly at: number }
  | { readonly status: "failed"; readonly message: string; readonly previous: "not-saved" | "saved" };

/**
 * `newMemberKey`: the backup carried no key-agreement key and this browser held none for the
 * identity, so its private pools see a new one (the app publishes it: pools/private-pool.ts).
 */
export type ImportResult = { ok: true; did: Did; newMemberKey: boolean } | { ok: false; message: string };

function verifiedAt(did: Did): number | undefined {
  try {
    const stored = JSON.parse(localStorage.getItem(VERIFIED_KEY) ?? "null") as { did?: unknown; at?: unknown } | null;
    return stored?.did === did && typeof stored.at === "number" ? stored.at : undefined;
  } catch {
    return undefined;
  }
}

export function passphraseProblem(passphrase: string, repeated: string): string | undefined {
  if (passphrase.length < MIN_PASSPHRASE) return `Use a passphrase of at least ${MIN_PASSPHRASE} characters.`;
  if (passphrase !== repeated) return "The two passphrases differ.";
  return undefined;
}

export function createBackupFlow(identity: IdentityStore, did: Did) {
  const at = verifiedAt(did);
  let step = $state<BackupStep>(at === undefined ? { status: "not-saved" } : { status: "verified", at });
  let saved: { file: Blob; fileName: string } | undefined;

  return {
    get step() {
      return step;
    },
    /** Encrypts the seed and the key-agreement key; the component offers the file for download. */
    async save(passphrase: string): Promise<void> {
      step = { status: "working", what: "Encrypting your backup (this takes a few seconds on purpose)…" };
      const seed = await identity.keystore.exportSeed();
      if (!seed) {
        step = { status: "failed", previous: "not-saved", message: "This browser's key cannot be exported. Switch to a key that can be backed up first." };
        return;
      }
      const kex = await storedMemberKex(appStorage(), did);
      const text = await createBackup({ seed, kex: kex.secretKey }, passphrase);
      saved = { file: new Blob([text], { type: "application/json" }), fileName: `edgepool-identity-${did.slice(-8)}.json` };
      step = { status: "saved", ...saved };
    },
    /** The dry-run import: the file the user saved must open with the passphrase, to this DID. */
    async verify(fileText: string, passphrase: string): Promise<void> {
      step = { status: "working", what: "Checking that the backup opens…" };
      const opened = await decryptBackup(fileText, passphrase);
      const previous = saved ? "saved" : "not-saved";
      if (!opened.ok) step = { status: "failed", previous, message: `The backup did not open: ${opened.message}` };
      else if (opened.did !== did) step = { status: "failed", previous, message: `That file is the backup of another identity (${opened.did}).` };
      else {
        const now = Date.now();
        localStorage.setItem(VERIFIED_KEY, JSON.stringify({ did, at: now }));
        step = { status: "verified", at: now };
      }
    },
    back(): void {
      step = saved ? { status: "saved", ...saved } : { status: "not-saved" };
    },
  };
}

/** Restores an identity from a backup file; the caller has confirmed that the current one is replaced. */
export async function importBackup(identity: IdentityStore, fileText: string, passphrase: string): Promise<ImportResult> {
  const opened = await decryptBackup(fileText, passphrase);
  if (!opened.ok) return { ok: false, message: opened.message };
  const restored = await identity.replace(opened.seed);
  localStorage.setItem(VERIFIED_KEY, JSON.stringify({ did: restored.did, at: Date.now() }));
  if (opened.kex) await restoreMemberKex(appStorage(), restored.did, opened.kex);
  const newMemberKey = !opened.kex && (await heldMemberKex(appStorage(), restored.did)) === undefined;
  return { ok: true, did: restored.did, newMemberKey };
}
