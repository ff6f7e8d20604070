/**
 * `nir data fetch NAME`: downloads every file of a dataset that has a `url` in
 * `datasets/manifest.json` into `<project>/datasets/cache/<name>/` (or `dest`), and copies the
 * files that ship with nirkit (`shipped`). Each download streams into a `.part` file; a broken
 * transfer is retried, resuming with an HTTP Range request when the server allows it; the file
 * is renamed into place only when its sha256 matches the manifest, and the `.part` is removed on
 * failure. Without network access it fails fast (every request has a timeout) with a NirError
 * that says so. `from` (or `$NIR_DATA_MIRROR/<name>`) downloads from a mirror holding the same layout.
 */
import { createHash } from "node:crypto";
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { NirError } from "../ir/errors.js";
import { datasetInfo, datasetProjectRoot, type ManifestDataset, type ManifestFile } from "./resolve.js";

/** Options of {@link fetchDataset}. */
export interface FetchOptions {
  /** Target folder (default `<project>/datasets/cache/<name>`). */
  dest?: string;
  /** Timeout per request in ms (default 20000). */
  timeoutMs?: number;
  /** Parallel downloads (default 6). */
  concurrency?: number;
  /** Maps a manifest file to the URL to download (default its `url`; tests point it at a local server). */
  urlFor?: (file: ManifestFile) => string;
  /**
   * Base URL of a mirror holding the dataset's files under their manifest paths: a file is fetched
   * from `<from>/<path>`. Default `$NIR_DATA_MIRROR/<name>` when that variable is set.
   */
  from?: string;
  /** The dataset's description, used instead of the manifest's entry `name` (custom or test datasets). */
  entry?: ManifestDataset;
  /** Attempts per file after a broken transfer or a checksum mismatch (default 3). */
  attempts?: number;
  /** Called after each file. */
  onProgress?: (done: number, total: number, file: string) => void;
}

/** What {@link fetchDataset} did. */
export interface FetchReport {
  name: string;
  dest: string;
  downloaded: number;
  alreadyPresent: number;
  /** Files copied from nirkit's own shipped copies (derived files). */
  copied: number;
  /** Files without a download URL or shipped copy (derived, optional), not fetched. */
  skipped: string[];
  bytes: number;
}

/** sha256 of a byte array, hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Checks the files of `name` present in `dir` against the manifest: lists missing and mismatching files. */
export function verifyDataset(name: string, dir: string): { ok: string[]; missing: string[]; mismatched: string[] } {
  const out = { ok: [] as string[], missing: [] as string[], mismatched: [] as string[] };
  for (const f of datasetInfo(name).files) {
    const p = join(dir, f.path);
    if (!existsSync(p)) out.missing.push(f.path);
    else if (sha256Hex(readFileSync(p)) !== f.sha256) out.mismatched.push(f.path);
    else out.ok.push(f.path);
  }
  return out;
}

function isNetworkFailure(e: unknown): boolean {
  const err = e as { name?: string; cause?: { code?: string } };
  return err?.name === "TimeoutError" || err?.name === "AbortError" || err?.name === "TypeError" || typeof err?.cause?.code === "string";
}

function networkError(name: string, f: ManifestFile, url: string, dest: string, e: unknown, timeoutMs: number): NirError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = (e as Error).name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : cause?.code ?? cause?.message ?? (e as Error).message;
  return new NirError("data.network", `no network access: cannot download ${url} (${why})`, {
    file: f.path, cause: e,
    hint: `connect to the internet and retry, or copy the files by hand into $NIR_DATA/${name} or ${dest} (datasets/manifest.json lists URLs and sha256)`,
  });
}

/** One HTTP transfer into `part`, appending from its current size when the server answers a Range request with 206. */
async function transfer(url: string, part: string, timeoutMs: number): Promise<void> {
  const have = existsSync(part) ? statSync(part).size : 0;
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow", headers: have > 0 ? { Range: `bytes=${have}-` } : {} });
  if (res.status === 416) return; // the part already holds the whole file
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { httpStatus: res.status });
  if (res.status !== 206) writeFileSync(part, new Uint8Array(0));
  if (!res.body) return;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) appendFileSync(part, chunk);
}

async function download(name: string, f: ManifestFile, url: string, dest: string, timeoutMs: number, attempts: number): Promise<number> {
  const target = join(dest, f.path);
  mkdirSync(dirname(target), { recursive: true });
  const part = target + ".part";
  rmSync(part, { force: true });
  let last = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await transfer(url, part, timeoutMs);
    } catch (e) {
      const status = (e as { httpStatus?: number }).httpStatus;
      if (status !== undefined) throw new NirError("data.network", `download failed: HTTP ${status} for ${url}`, { file: f.path, hint: "the upstream file may have moved; see official_url in datasets/manifest.json" });
      // No connection at all on the first try: give up at once (no network); later, retry and resume.
      if (attempt === 1 && !existsSync(part)) throw networkError(name, f, url, dest, e, timeoutMs);
      last = `transfer broken (${(e as Error).message})`;
      continue;
    }
    const bytes = readFileSync(part);
    const got = sha256Hex(bytes);
    if (got === f.sha256) {
      renameSync(part, target);
      return bytes.length;
    }
    last = `checksum mismatch: sha256 ${got} but the manifest expects ${f.sha256} (${bytes.length} bytes, expected ${f.bytes})`;
    rmSync(part, { force: true }); // a wrong file is not resumed: start again from byte 0
  }
  rmSync(part, { force: true });
  const code = last.startsWith("checksum") ? "data.corrupt" : "data.network";
  throw new NirError(code, `${last}, after ${attempts} attempt(s) from ${url}`, { file: f.path, hint: "the download was damaged or the upstream file changed; retry, or report it" });
}

function copyShipped(f: ManifestFile, dest: string): void {
  const src = join(datasetProjectRoot(), f.shipped as string);
  if (!existsSync(src) || sha256Hex(readFileSync(src)) !== f.sha256) {
    throw new NirError("data.corrupt", `nirkit's shipped copy of ${f.path} is missing or changed`, { file: src, hint: "reinstall nirkit, or regenerate it (docs/data.md)" });
  }
  const target = join(dest, f.path);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(src, target + ".part");
  renameSync(target + ".part", target);
}

/** Downloads and verifies dataset `name`; see the file comment. */
export async function fetchDataset(name: string, opts: FetchOptions = {}): Promise<FetchReport> {
  const info = opts.entry ?? datasetInfo(name);
  const dest = opts.dest ?? join(datasetProjectRoot(), "datasets", "cache", name);
  const timeoutMs = opts.timeoutMs ?? 20000;
  const attempts = Math.max(1, opts.attempts ?? 3);
  const mirror = opts.from ?? (process.env.NIR_DATA_MIRROR ? `${process.env.NIR_DATA_MIRROR.replace(/\/+$/, "")}/${name}` : undefined);
  const urlFor = opts.urlFor ?? (mirror ? (f: ManifestFile) => `${mirror.replace(/\/+$/, "")}/${f.path}` : (f: ManifestFile) => f.url as string);
  const report: FetchReport = { name, dest, downloaded: 0, alreadyPresent: 0, copied: 0, skipped: [], bytes: 0 };
  const todo: ManifestFile[] = [];
  const shipped: ManifestFile[] = [];
  for (const f of info.files) {
    const p = join(dest, f.path);
    if (!f.url && !f.shipped) report.skipped.push(f.path);
    else if (existsSync(p) && sha256Hex(readFileSync(p)) === f.sha256) report.alreadyPresent++;
    else if (f.url) todo.push(f);
    else shipped.push(f);
  }
  // nirkit's own copies go in only after every download succeeded.
  const copyAll = (): FetchReport => {
    for (const f of shipped) copyShipped(f, dest);
    report.copied = shipped.length;
    return report;
  };
  const total = todo.length;
  if (total === 0) return copyAll();
  // The first file alone: without network this fails once, quickly, instead of N times.
  let done = 0;
  const one = async (f: ManifestFile): Promise<void> => {
    try {
      const bytes = await download(name, f, urlFor(f), dest, timeoutMs, attempts);
      report.bytes += bytes; // read after the await: parallel downloads must not overwrite each other's sum
    } catch (e) {
      rmSync(join(dest, f.path) + ".part", { force: true });
      if (!(e instanceof NirError) && isNetworkFailure(e)) throw new NirError("data.network", `no network access: ${(e as Error).message}`, { file: f.path, cause: e });
      throw e;
    }
    report.downloaded++;
    opts.onProgress?.(++done, total, f.path);
  };
  await one(todo[0]);
  const queue = todo.slice(1);
  const workers = Array.from({ length: Math.max(1, opts.concurrency ?? 6) }, async () => {
    for (let f = queue.shift(); f; f = queue.shift()) await one(f);
  });
  await Promise.all(workers);
  return copyAll();
}
