/**
 * The one resolver for reference files in tests. Paper files are found through the library's own
 * resolver (`$NIR_DATA/paper`, `datasets/cache/paper`, `../shared/paper`, nirkit's shipped derived
 * files); other reference material (conformance corpus, datasets notes, training references) sits
 * in `../shared` beside the project (override with NIR_SHARED). A missing file never fails a test:
 * the helpers return null and print why, so the test can `it.skipIf(!file)`.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { findPaperFile, paperFileCandidates } from "../../src/data/paper-files.js";
import { datasetLocations } from "../../src/data/resolve.js";
import { datasetFile } from "./datasets.js";

/** The project root (the folder with package.json). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The shared reference folder: $NIR_SHARED or ../shared beside the project. */
export const SHARED = process.env.NIR_SHARED ? resolve(process.env.NIR_SHARED) : resolve(ROOT, "..", "shared");

const reported = new Set<string>();
function skipNote(what: string, how: string): void {
  if (reported.has(what)) return;
  reported.add(what);
  console.warn(`[skip] reference file missing: ${what} (${how})`);
}

/**
 * Absolute path of a reference file, or null (with a printed reason naming the file) when absent.
 * `refFile("paper", ...)` goes through the paper resolver, `refFile("datasets", NAME, ...)` through the dataset
 * resolver; anything else is looked up under shared/.
 */
export function refFile(...parts: string[]): string | null {
  const segs = parts.flatMap((p) => p.split("/")).filter((p) => p.length > 0);
  if (segs.length === 1 && segs[0] === "paper") {
    const places = datasetLocations("paper");
    const hit = places.find((l) => l.found)?.path ?? null;
    if (!hit) skipNote(`the paper folder (${places.map((l) => l.path ?? "$NIR_DATA/paper").join(", ")})`, "get it with `nir data fetch paper`, or set NIR_DATA");
    return hit;
  }
  if (segs[0] === "datasets" && segs.length > 1) return datasetFile(segs[1], ...segs.slice(2));
  if (segs[0] === "paper" && segs.length > 1) {
    const hit = findPaperFile(...segs.slice(1));
    if (!hit) skipNote(paperFileCandidates(segs.slice(1)).at(-1) ?? segs.join("/"), "get it with `nir data fetch paper`, or set NIR_DATA");
    return hit;
  }
  const p = join(SHARED, ...segs);
  if (existsSync(p)) return p;
  skipNote(p, "it is in the workshop's shared/ folder; set NIR_SHARED to it");
  return null;
}

/** Like {@link refFile} for several files: all paths, or null (each missing one printed) when any is absent. */
export function refFiles<const N extends number>(...files: string[][] & { length: N }): string[] | null {
  const got = files.map((f) => refFile(...f));
  return got.every((p) => p !== null) ? (got as string[]) : null;
}
