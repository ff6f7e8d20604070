/**
 * Test helper: real recordings are found with the library's own resolver ($NIR_DATA, then
 * datasets/cache, then ../shared/datasets). When a dataset or a file inside it is absent, this
 * returns null and prints why, so the test can `skipIf` visibly instead of passing silently.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { resolveDataset } from "../../src/data/index.js";

/** Absolute path of `parts` inside dataset `name`, or null (with a printed reason). */
export function datasetFile(name: string, ...parts: string[]): string | null {
  let dir: string;
  try {
    dir = resolveDataset(name);
  } catch (e) {
    console.warn(`[skip] dataset "${name}" not available: ${(e as Error).message}`);
    return null;
  }
  const p = join(dir, ...parts);
  if (existsSync(p)) return p;
  console.warn(`[skip] ${p} is missing from dataset "${name}" (found at ${dir}); run \`nir data fetch ${name}\``);
  return null;
}
