/**
 * Test support: where the reference material lives. `../shared` sits beside the project
 * (override with NIR_SHARED). Tests that need a file use `sharedFile`, which returns null when
 * the material is absent so the test can `skipIf` with a printed reason.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project root (the folder with package.json). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The shared reference folder: $NIR_SHARED or ../shared beside the project. */
export const SHARED = process.env.NIR_SHARED ? resolve(process.env.NIR_SHARED) : resolve(ROOT, "..", "shared");

/** Absolute path of a file under shared/, or null (with a printed reason) when it is missing. */
export function sharedFile(...parts: string[]): string | null {
  const p = join(SHARED, ...parts);
  if (existsSync(p)) return p;
  console.warn(`[skip] reference file missing: ${p} (set NIR_SHARED to the shared/ folder)`);
  return null;
}

/** Path of a file under shared/ (for tests that must fail loudly if the reference is missing). */
export function shared(...parts: string[]): string {
  return join(SHARED, ...parts);
}
