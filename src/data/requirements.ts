/**
 * What data a notebook or the workshop needs, whether it is here, and the one command that fetches
 * what is missing. Datasets are found by the dataset resolver (src/data/resolve.ts), the paper's
 * files by the paper resolver (src/data/paper-files.ts).
 */
import { NirError } from "../ir/errors.js";
import { missingPaperFiles, PAPER_DATASET } from "./paper-files.js";
import { datasetInfo, datasetLocations } from "./resolve.js";

/** One dataset's status. */
export interface DataStatus {
  name: string;
  /** Where it was found (folder), or null. */
  path: string | null;
  /** Which of the places searched holds it ("NIR_DATA", "cache", "shared"), or null. */
  source: string | null;
  /** Files that are needed and absent (the paper's core files; empty for a found dataset). */
  missing: string[];
}

/** The status of each named dataset (`paper` counts as present when its core files are all found). */
export function dataStatus(names: string[]): DataStatus[] {
  return names.map((name) => {
    datasetInfo(name);
    const hit = datasetLocations(name).find((l) => l.found);
    const missing = name === PAPER_DATASET ? missingPaperFiles() : hit ? [] : [name];
    return { name, path: hit?.path ?? null, source: hit?.source ?? null, missing };
  });
}

/** The one command that downloads `names` (empty string when there is nothing to fetch). */
export function fetchCommand(names: string[]): string {
  return names.length ? `npx nir data fetch ${names.join(" ")}` : "";
}

/**
 * Checks that every named dataset is present; returns their statuses, or throws a NirError
 * ("data.not_found") whose fix is the one command that fetches all that is missing.
 */
export function requireData(...names: string[]): DataStatus[] {
  const status = dataStatus(names);
  const absent = status.filter((s) => s.missing.length > 0);
  if (absent.length === 0) return status;
  const what = absent.map((s) => (s.name === PAPER_DATASET ? `paper (${s.missing.join(", ")})` : s.name)).join("; ");
  throw new NirError("data.not_found", `data missing: ${what}`, {
    hint: `run \`${fetchCommand(absent.map((s) => s.name))}\` in the nirkit folder (needs internet), or set NIR_DATA to a folder holding ${absent.map((s) => s.name + "/").join(", ")}`,
  });
}
