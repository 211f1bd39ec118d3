/**
 * Atomic writes of small secret files (identity, backups): a reader or a crash sees the old file
 * or the new one, never half of either. Write a 0600 temporary file beside the target, fsync it,
 * then rename it over the target, or link it into place when the target must not be overwritten
 * (link fails with EEXIST, so two writers cannot both win).
 */
import { link, open, rename, unlink } from "node:fs/promises";
import { bytesToHex, randomBytes } from "../crypto/index.ts";

export type AtomicWriteOutcome = "written" | "exists";

export async function writeFileAtomic(path: string, contents: string, options: { overwrite: boolean }): Promise<AtomicWriteOutcome> {
  const temporary = `${path}.${process.pid}.${bytesToHex(randomBytes(6))}.tmp`;
  const handle = await open(temporary, "wx", 0o600);
  try {
    try {
      await handle.writeFile(contents, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite) {
      await rename(temporary, path);
      return "written";
    }
    await link(temporary, path);
    return "written";
  } catch (error) {
    if (errorCode(error) === "EEXIST") return "exists";
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : undefined;
}
