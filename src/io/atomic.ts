/**
 * Atomic file writes: write a temp file next to the target, then rename it over the target, so a
 * failed write never leaves a half-written file behind.
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { NirError } from "../ir/errors.js";

/** A temp path in the same folder as `path` (same filesystem, so rename is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/**
 * Runs `write(tmp)` to produce the file at a temp path, then renames it to `path`. On any error
 * the temp file is removed and the original `path` is left untouched.
 */
export async function withAtomicPath<T>(path: string, write: (tmp: string) => Promise<T> | T): Promise<T> {
  const tmp = tempPathFor(path);
  try {
    const r = await write(tmp);
    renameSync(tmp, path);
    return r;
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes bytes or text to `path` atomically. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new NirError("io.write_failed", `could not write: ${(e as Error).message}`, { file: path, cause: e, hint: "check that the folder exists and is writable" });
  }
}
