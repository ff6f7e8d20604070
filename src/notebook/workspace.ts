/**
 * The participant's working copy behind `npm start`: `workspace/` (git-ignored) holds copies of the
 * curated notebooks in `notebooks/`, so running and saving them never modifies the originals.
 * A notebook is copied when its copy is absent; `fresh` replaces every copy with the original,
 * and an edited copy is first renamed to `<name>.old.ipynb` (`<name>.old-2.ipynb`, … when that
 * name is taken), so no participant's work is lost. It also holds `_nirkit/`, vega's
 * browser builds, which live charts load from the Jupyter server (viz/live.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { NirError } from "../ir/errors.js";
import { projectRoot } from "./paths.js";
import { LIVE_ASSET_DIR, LIVE_ASSETS } from "../viz/live.js";

/** The notebook a newcomer opens first. */
export const FIRST_NOTEBOOK = "00_welcome.ipynb";

/** Options of {@link prepareWorkspace}. */
export interface WorkspaceOptions {
  /** Where the curated originals are (default `<root>/notebooks`). */
  source?: string;
  /** The working copy (default $NIR_WORKSPACE, else `<root>/workspace`). */
  target?: string;
  /** Replace every copy with its original, keeping an edited copy as `<name>.old.ipynb`. */
  fresh?: boolean;
}

/** What {@link prepareWorkspace} did. */
export interface Workspace {
  /** The working-copy folder. */
  dir: string;
  /** Notebooks copied now (file names). */
  copied: string[];
  /** Notebooks whose existing copy was kept (file names). */
  kept: string[];
  /** Edited copies moved aside by `fresh` (file names of the `.old.ipynb` files they became). */
  replaced: string[];
}

/** The curated notebooks: the `.ipynb` files directly in `source`, sorted by name. */
export function curatedNotebooks(source: string): string[] {
  if (!existsSync(source)) {
    throw new NirError("kernel.setup", `the notebook folder ${source} does not exist`, { file: source, hint: "run `npm start` from a nirkit checkout (it has notebooks/)" });
  }
  return readdirSync(source).filter((f) => f.endsWith(".ipynb")).sort();
}

/**
 * Creates or completes the working copy (see the file comment). Copies go through a temp file and
 * a rename, so an interrupted start never leaves a half-written notebook.
 */
export function prepareWorkspace(opts: WorkspaceOptions = {}): Workspace {
  const root = projectRoot();
  const source = opts.source ?? join(root, "notebooks");
  const dir = opts.target ?? process.env.NIR_WORKSPACE ?? join(root, "workspace");
  const names = curatedNotebooks(source);
  mkdirSync(dir, { recursive: true });
  const out: Workspace = { dir, copied: [], kept: [], replaced: [] };
  for (const name of names) {
    const to = join(dir, name);
    if (existsSync(to) && !opts.fresh) {
      out.kept.push(name);
      continue;
    }
    const original = readFileSync(join(source, name));
    if (existsSync(to) && !readFileSync(to).equals(original)) {
      const old = freeOldName(dir, name);
      renameSync(to, join(dir, old));
      out.replaced.push(old);
    }
    writeFileAtomic(to, original);
    out.copied.push(name);
  }
  copyLiveAssets(root, join(dir, LIVE_ASSET_DIR));
  return out;
}

/** `<name>.old.ipynb`, or `<name>.old-2.ipynb`, `-3`, … : the first name not taken in `dir`. */
function freeOldName(dir: string, name: string): string {
  const base = name.replace(/\.ipynb$/, "");
  for (let k = 1; ; k++) {
    const old = `${base}.old${k === 1 ? "" : `-${k}`}.ipynb`;
    if (!existsSync(join(dir, old))) return old;
  }
}

/** Copies vega's browser builds for live charts (skipped when a package is missing: charts stay static). */
function copyLiveAssets(root: string, to: string): void {
  for (const a of LIVE_ASSETS) {
    const from = join(root, "node_modules", a.pkg, a.path);
    if (!existsSync(from)) return;
    mkdirSync(to, { recursive: true });
    const bytes = readFileSync(from);
    const dest = join(to, a.file);
    if (!existsSync(dest) || !readFileSync(dest).equals(bytes)) writeFileAtomic(dest, bytes);
  }
}
