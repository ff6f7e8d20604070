/**
 * The bridge to the running tslab kernel. tslab's public `display` API sends one MIME type per
 * message; a full bundle (vega-lite + SVG + HTML + text in ONE display_data) needs its internal
 * `lastWriteDisplayData`, which tslab points at the current cell's output channel before each
 * execution. We find tslab's module instance in the CommonJS cache (the kernel loaded it), so
 * this works from nirkit's compiled ESM loaded through require(esm).
 */
import { createRequire } from "node:module";
import type { MimeBundle } from "../ir/display.js";

/** tslab's display writer: `update` false → display_data, true → update_display_data. */
export type DisplayWriter = (
  data: { data: MimeBundle; metadata: Record<string, unknown>; transient: Record<string, unknown> },
  update: boolean,
) => void;

interface TslabJupyterModule {
  lastWriteDisplayData: DisplayWriter | null;
}

const requireHere = createRequire(import.meta.url);
let cached: TslabJupyterModule | null | undefined;

function tslabJupyter(): TslabJupyterModule | null {
  if (cached) return cached;
  for (const [file, mod] of Object.entries(requireHere.cache)) {
    if (/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(file) && mod?.exports && "lastWriteDisplayData" in mod.exports) {
      cached = mod.exports as TslabJupyterModule;
      return cached;
    }
  }
  return null;
}

/** True when running inside a tslab Jupyter kernel (a cell is or was executing). */
export function inKernel(): boolean {
  return typeof tslabJupyter()?.lastWriteDisplayData === "function";
}

/**
 * The display writer of the cell executing now (null outside a kernel). Capture it
 * synchronously: an async display then still lands in the cell that asked for it.
 */
export function currentDisplayWriter(): DisplayWriter | null {
  const w = tslabJupyter()?.lastWriteDisplayData;
  return typeof w === "function" ? w : null;
}

/** Options of {@link publishBundle}. */
export interface PublishOptions {
  /** A display id: later publishes with `update: true` and the same id replace this output. */
  displayId?: string;
  /** Send update_display_data for `displayId` instead of a new display_data. */
  update?: boolean;
  /** The writer to use (default: the current cell's). */
  writer?: DisplayWriter | null;
}

/**
 * Sends one display message with the whole bundle. Outside a kernel it prints the text/plain
 * part to stdout (so scripts and tests still see something) and returns false.
 */
export function publishBundle(bundle: MimeBundle, opts: PublishOptions = {}): boolean {
  const writer = opts.writer === undefined ? currentDisplayWriter() : opts.writer;
  if (!writer) {
    if (!opts.update) process.stdout.write(String(bundle["text/plain"] ?? "") + "\n");
    return false;
  }
  const transient = opts.displayId ? { display_id: opts.displayId } : {};
  writer({ data: jsonSafe(bundle), metadata: {}, transient }, !!opts.update);
  return true;
}

/** Bundles go over JSON: drop undefined entries so every listed MIME type has data. */
function jsonSafe(bundle: MimeBundle): MimeBundle {
  const out: MimeBundle = {};
  for (const [k, v] of Object.entries(bundle)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}
