/**
 * The Merkle root a checkpoint commits to (ledger/README.md, "Checkpoints"): leaves are
 * sha2-256(0x00 || utf8(id)) over the ids sorted as strings, inner nodes sha2-256(0x01 || left ||
 * right), an odd last node moves up unchanged. Domain bytes keep a leaf from passing for a node.
 * Checkpoints chain: root = sha2-256(previous root || root of the ids since the previous one).
 */
import { bytesToHex, concatBytes, hexToBytes, sha256, utf8 } from "../crypto/index.ts";

export const ZERO_ROOT = "00".repeat(32);

export function merkleRoot(ids: readonly string[]): Uint8Array {
  if (ids.length === 0) return new Uint8Array(32);
  let level = [...ids].sort().map((id) => sha256(concatBytes(Uint8Array.of(0), utf8(id))));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right ? sha256(concatBytes(Uint8Array.of(1), level[i]!, right)) : level[i]!);
    }
    level = next;
  }
  return level[0]!;
}

/** The chained root: the previous checkpoint's root (hex, zeros at genesis) and the new segment's ids. */
export const chainedRoot = (previous: string, segment: readonly string[]): string =>
  bytesToHex(sha256(concatBytes(hexToBytes(previous), merkleRoot(segment))));
