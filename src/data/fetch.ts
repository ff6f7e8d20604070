/**
 * `nir data fetch NAME`: downloads every file of a dataset that has a `url` in
 * `datasets/manifest.json` into `<project>/datasets/cache/<name>/` (or `dest`), writing each to a
 * `.part` file first and keeping it only when its sha256 matches the manifest. Without network
 * access it fails fast (every request has a timeout) with a NirError that says so.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { NirError } from "../ir/errors.js";
import { datasetInfo, datasetProjectRoot, type ManifestFile } from "./resolve.js";

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
  /** Called after each file. */
  onProgress?: (done: number, total: number, file: string) => void;
}

/** What {@link fetchDataset} did. */
export interface FetchReport {
  name: string;
  dest: string;
  downloaded: number;
  alreadyPresent: number;
  /** Files without a download URL (derived, optional), not fetched. */
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

async function download(name: string, f: ManifestFile, url: string, dest: string, timeoutMs: number): Promise<number> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = (e as Error).name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : cause?.code ?? cause?.message ?? (e as Error).message;
    throw new NirError("data.network", `no network access: cannot download ${url} (${why})`, {
      file: f.path, cause: e,
      hint: `connect to the internet and retry, or copy the files by hand into $NIR_DATA/${name} or ${dest} (datasets/manifest.json lists URLs and sha256)`,
    });
  }
  if (!res.ok) throw new NirError("data.network", `download failed: HTTP ${res.status} for ${url}`, { file: f.path, hint: "the upstream file may have moved; see official_url in datasets/manifest.json" });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const got = sha256Hex(bytes);
  if (got !== f.sha256) {
    throw new NirError("data.corrupt", `checksum mismatch: sha256 ${got} but the manifest expects ${f.sha256} (${bytes.length} bytes, expected ${f.bytes})`, { file: f.path, hint: "the download was damaged or the upstream file changed; retry, or report it" });
  }
  const target = join(dest, f.path);
  mkdirSync(dirname(target), { recursive: true });
  const part = target + ".part";
  writeFileSync(part, bytes);
  renameSync(part, target);
  return bytes.length;
}

/** Downloads and verifies dataset `name`; see the file comment. */
export async function fetchDataset(name: string, opts: FetchOptions = {}): Promise<FetchReport> {
  const info = datasetInfo(name);
  const dest = opts.dest ?? join(datasetProjectRoot(), "datasets", "cache", name);
  const timeoutMs = opts.timeoutMs ?? 20000;
  const report: FetchReport = { name, dest, downloaded: 0, alreadyPresent: 0, skipped: [], bytes: 0 };
  const todo: ManifestFile[] = [];
  for (const f of info.files) {
    if (!f.url) {
      report.skipped.push(f.path);
      continue;
    }
    const p = join(dest, f.path);
    if (existsSync(p) && sha256Hex(readFileSync(p)) === f.sha256) report.alreadyPresent++;
    else todo.push(f);
  }
  const total = todo.length;
  if (total === 0) return report;
  // The first file alone: without network this fails once, quickly, instead of N times.
  let done = 0;
  const one = async (f: ManifestFile): Promise<void> => {
    try {
      report.bytes += await download(name, f, opts.urlFor ? opts.urlFor(f) : (f.url as string), dest, timeoutMs);
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
  return report;
}
