/**
 * The browser twin of dump.ts (the explorer bundle swaps it in, see scripts/bundle.mjs): a page
 * has no folder to dump generated WebAssembly text into, so nothing is written.
 */

/** Always null in a browser: no dump folder. */
export function watDumpDir(): string | null {
  return null;
}

/** No-op in a browser; returns null (nothing written). */
export function dumpWat(_name: string, _wat: string, _bytes: Uint8Array): string | null {
  return null;
}
