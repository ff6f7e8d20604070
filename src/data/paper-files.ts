/**
 * Where the NIR paper's files are (the `paper` entry of `datasets/manifest.json`). One file is
 * looked up, in order, in
 *   1. `$NIR_DATA/paper/<file>`
 *   2. `<project>/datasets/cache/paper/<file>` (where `nir data fetch paper` puts them)
 *   3. `<project>/../shared/paper/<file>` (the workshop's shared folder)
 *   4. for files nirkit derives itself (the recovered Braille sample, the probe mapping, the
 *      paper's tables): the copy shipped in `<project>/datasets/paper-derived/`.
 * The library, the notebooks and the tests all find paper files through this module.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { NirError } from "../ir/errors.js";
import { datasetInfo, datasetLocations, datasetProjectRoot, type ResolveOptions } from "./resolve.js";

/** The manifest name of the paper's files. */
export const PAPER_DATASET = "paper";

/** The command that downloads the paper's files. */
export const PAPER_FETCH_COMMAND = "nir data fetch paper";

/** Every place {@link paperFile} looks for `parts`, in order (existing or not). */
export function paperFileCandidates(parts: string[], opts: ResolveOptions = {}): string[] {
  const rel = join(...parts);
  const out = datasetLocations(PAPER_DATASET, opts)
    .filter((l) => l.path !== null)
    .map((l) => join(l.path as string, rel));
  const shipped = datasetInfo(PAPER_DATASET).files.find((f) => f.path === rel.split("\\").join("/"))?.shipped;
  if (shipped) out.push(join(opts.projectRoot ?? datasetProjectRoot(), shipped));
  return out;
}

/** Absolute path of a paper file (e.g. `paperFile("02_cnn", "cnn_sinabs.nir")`), or null when absent everywhere. */
export function findPaperFile(...parts: string[]): string | null {
  return paperFileCandidates(parts).find((p) => existsSync(p)) ?? null;
}

/**
 * Absolute path of a paper file; throws a NirError ("data.not_found") naming the places searched
 * and the one command that downloads the files.
 */
export function paperFile(...parts: string[]): string {
  const hit = findPaperFile(...parts);
  if (hit) return hit;
  const rel = parts.join("/");
  const listed = datasetInfo(PAPER_DATASET).files.some((f) => f.path === rel);
  throw new NirError("data.not_found", `the NIR paper file ${rel} was not found; looked in ${paperFileCandidates(parts).join(", ")}`, {
    file: rel,
    hint: listed
      ? `download the paper's files with \`${PAPER_FETCH_COMMAND}\` (needs internet), or set NIR_DATA to a folder holding paper/`
      : "this file is not among the paper files nirkit knows (datasets/manifest.json, entry paper)",
  });
}

/** True when a paper file is found (some upstream files are optional). */
export function hasPaperData(...parts: string[]): boolean {
  return findPaperFile(...parts) !== null;
}

/** The paper files the notebooks need, each with whether it was found (for `npm start` and notebooks). */
export function missingPaperFiles(files: string[][] = PAPER_CORE_FILES): string[] {
  return files.filter((f) => !hasPaperData(...f)).map((f) => f.join("/"));
}

/** The graph files every paper notebook opens; when one is missing, the paper's files are not installed. */
export const PAPER_CORE_FILES: string[][] = [
  ["01_lif", "lif_norse.nir"],
  ["01_lif", "lif_norse.csv"],
  ["02_cnn", "cnn_sinabs.nir"],
  ["03_rnn", "braille_noDelay_bias_zero.nir"],
  ["03_rnn", "braille_noDelay_noBias_subtract.nir"],
];
