/**
 * The size of a sealed blob reference in a private pool's entries (ledger/README.md 8.5): the
 * ciphertext's SHA-256, then the blob's AES-256-GCM key. A module of its own so that readers of
 * the field (the app's first route among them) need not load the fold's rules.
 */
export const SEALED_REF_BYTES = 64;
