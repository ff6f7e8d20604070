/**
 * Where datasets live. Real recordings are never part of the project; `resolveDataset(name)`
 * finds them in, in this order:
 *   1. `$NIR_DATA/<name>`
 *   2. `<project>/datasets/cache/<name>` (where `nir data fetch` puts them)
 *   3. `<project>/../shared/<shared_path>` (the workshop's shared folder; `shared_path` defaults
 *      to `datasets/<name>`, the paper's files sit in `shared/paper`)
 * `<project>` is found from this module's own location (not the working directory).
 * `datasets/manifest.json` describes each dataset: origin, citation, licence, download URLs,
 * layout and sha256 checksums.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { NirError } from "../ir/errors.js";

/** One file of a dataset in the manifest. */
export interface ManifestFile {
  /** Path inside the dataset folder. */
  path: string;
  bytes: number;
  sha256: string;
  /** Where `nir data fetch` downloads it from (absent for derived, optional files). */
  url?: string;
  /** Project-relative path of a copy that ships with nirkit (derived files); `nir data fetch` copies it. */
  shipped?: string;
  note?: string;
}

/** One dataset in `datasets/manifest.json`. */
export interface ManifestDataset {
  title: string;
  format: string;
  origin: string;
  citation: string;
  licence: string;
  official_url: string;
  layout: Record<string, string>;
  /** A folder counts as this dataset when any of these paths exists in it. */
  markers: string[];
  files: ManifestFile[];
  sensor_size?: number[];
  classes?: string[];
  theta?: number;
  paper_theta?: number;
  /** Folder under `../shared` that holds this dataset (default `datasets/<name>`). */
  shared_path?: string;
  [extra: string]: unknown;
}

/** The whole manifest. */
export interface DatasetManifest {
  schema: string;
  note: string;
  datasets: Record<string, ManifestDataset>;
}

let rootCache: string | null = null;

/** The nirkit project folder (the one holding `datasets/manifest.json`), found from this module. */
export function datasetProjectRoot(): string {
  if (rootCache) return rootCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "datasets", "manifest.json")) && existsSync(join(dir, "package.json"))) return (rootCache = dir);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  // src/data/ and dist/data/ are both two levels below the project.
  return (rootCache = resolve(dirname(fileURLToPath(import.meta.url)), "..", ".."));
}

let manifestCache: DatasetManifest | null = null;

/** Reads `datasets/manifest.json` (cached). */
export function readManifest(): DatasetManifest {
  if (manifestCache) return manifestCache;
  const file = join(datasetProjectRoot(), "datasets", "manifest.json");
  try {
    manifestCache = JSON.parse(readFileSync(file, "utf8")) as DatasetManifest;
  } catch (e) {
    throw new NirError("data.corrupt", `cannot read the dataset manifest: ${(e as Error).message}`, { file, cause: e, hint: "reinstall nirkit; the manifest ships with the package" });
  }
  return manifestCache;
}

/** Names of the datasets in the manifest. */
export function datasetNames(): string[] {
  return Object.keys(readManifest().datasets);
}

/** The manifest entry of a dataset; throws a NirError listing the known names otherwise. */
export function datasetInfo(name: string): ManifestDataset {
  const d = readManifest().datasets[name];
  if (!d) throw new NirError("data.not_found", `unknown dataset "${name}"`, { hint: `known datasets: ${datasetNames().join(", ")} (nir data list)` });
  return d;
}

/** One place {@link resolveDataset} looks, in order. */
export interface DatasetLocation {
  /** "NIR_DATA", "cache" or "shared". */
  source: "NIR_DATA" | "cache" | "shared";
  /** The folder `<root>/<name>` (null for NIR_DATA when the variable is unset). */
  path: string | null;
  /** True when the folder holds the dataset (one of its marker files exists). */
  found: boolean;
}

function holdsDataset(dir: string, markers: string[]): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
  } catch {
    return false;
  }
  if (markers.length === 0) return readdirSync(dir).length > 0;
  return markers.some((m) => existsSync(join(dir, m)));
}

/** Overrides for {@link resolveDataset} (tests, tools): another project folder or NIR_DATA value. */
export interface ResolveOptions {
  /** Project folder whose `datasets/cache` and `../shared` are searched (default: nirkit's own). */
  projectRoot?: string;
  /** Used instead of `process.env.NIR_DATA` when given (empty string = unset). */
  nirData?: string;
}

/** The three places searched for `name`, in order, each marked found or not. */
export function datasetLocations(name: string, opts: ResolveOptions = {}): DatasetLocation[] {
  const known = readManifest().datasets[name];
  const markers = known?.markers ?? [];
  const root = opts.projectRoot ?? datasetProjectRoot();
  const env = opts.nirData ?? process.env.NIR_DATA;
  const places: DatasetLocation[] = [
    { source: "NIR_DATA", path: env ? resolve(env, name) : null, found: false },
    { source: "cache", path: join(root, "datasets", "cache", name), found: false },
    { source: "shared", path: resolve(root, "..", "shared", known?.shared_path ?? join("datasets", name)), found: false },
  ];
  for (const p of places) p.found = p.path !== null && holdsDataset(p.path, markers);
  return places;
}

/**
 * The folder of dataset `name`: the first of `$NIR_DATA/<name>`, `<project>/datasets/cache/<name>`,
 * `<project>/../shared/<shared_path>` that holds it. Throws a NirError ("data.not_found")
 * naming all three places and the download command when none does.
 */
export function resolveDataset(name: string, opts: ResolveOptions = {}): string {
  datasetInfo(name);
  const places = datasetLocations(name, opts);
  const hit = places.find((p) => p.found);
  if (hit?.path) return hit.path;
  const list = places.map((p, i) => `${i + 1}. ${p.path ?? `$NIR_DATA/${name} (NIR_DATA is not set)`}`).join("; ");
  throw new NirError("data.not_found", `dataset "${name}" not found; looked in ${list}`, {
    hint: `download it with \`nir data fetch ${name}\` (needs internet), or copy it into one of these folders / set NIR_DATA`,
  });
}
