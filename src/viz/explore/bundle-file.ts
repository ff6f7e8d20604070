/**
 * The explorer's browser bundle as text, read once from dist/browser/explorer.js (built by
 * scripts/bundle.mjs). Found from this file's folder upwards: from dist/viz/explore/ (the
 * package) and from src/viz/explore/ (tests running the sources) alike.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { NirError } from "../../ir/errors.js";

let cached: string | null = null;

/** The path of the bundle, or null when it has not been built. */
export function explorerBundlePath(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, "dist", "browser", "explorer.js");
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  return null;
}

/** The bundle's code, safe to put inside an inline `<script>` (a NirError when it is not built). */
export function explorerBundleCode(): string {
  if (cached !== null) return cached;
  const path = explorerBundlePath();
  if (!path) throw new NirError("viz.invalid", "the explorer's browser bundle (dist/browser/explorer.js) is not built", { hint: "run `npm run build` (or `node scripts/ensure.mjs`) in the nirkit folder" });
  cached = readFileSync(path, "utf8").replace(/<\/(script)/gi, "<\\/$1");
  return cached;
}
