/**
 * NIRKIT_DUMP_WAT=DIR: every generated WebAssembly module's text is written to DIR as
 * `<name>-<first 16 hex digits of the sha-256 of its bytes>.wat` (written atomically; the same
 * module is written once). Assembling that file with `assemble` (assemble.ts) gives the bytes
 * that ran.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../io/atomic.js";

/** The dump folder, or null when NIRKIT_DUMP_WAT is not set. */
export function watDumpDir(): string | null {
  const dir = typeof process !== "undefined" ? process.env?.NIRKIT_DUMP_WAT : undefined;
  return dir ? dir : null;
}

/** Writes a module's text into the dump folder (no-op without NIRKIT_DUMP_WAT); returns the path written, or null. */
export function dumpWat(name: string, wat: string, bytes: Uint8Array): string | null {
  const dir = watDumpDir();
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}-${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}.wat`);
  if (!existsSync(path)) writeFileAtomic(path, wat);
  return path;
}
