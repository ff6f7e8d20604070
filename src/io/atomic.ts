/**
 * Safe file writes. Onto a regular file (or a missing path) the data goes to a temp file next to
 * the target first, which is then renamed over it, so a failed or interrupted write never leaves
 * a half-written file. What is at the path decides the rest:
 * - a symlink is followed: its target is written (and stays behind the link);
 * - an existing file keeps its mode (and, for root, its owner); a read-only one is refused unless
 *   `force` is set;
 * - a device, FIFO or socket is written directly (renaming onto /dev/full would replace the
 *   device); a folder is refused.
 * Temp files are removed on error and when the process gets SIGTERM or SIGINT mid-write (a signal
 * that arrives during a synchronous write is handled once it returns: the temp file has then
 * been renamed into place or removed); temp files that killed processes left next to the same
 * target are swept on the next write.
 */
import { accessSync, chmodSync, chownSync, closeSync, constants, lstatSync, openSync, readSync, writeSync, mkdtempSync, readdirSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { NirError } from "../ir/errors.js";

/** Options of the atomic writes. */
export interface AtomicWriteOptions {
  /** Replace a read-only target file (as `cp -f` would). Default false. */
  force?: boolean;
}

/** How a path is written: its resolved target and what kind of object it is. */
interface WriteTarget {
  /** The path actually written (the final target of a symlink chain). */
  path: string;
  kind: "missing" | "file" | "special";
  stats?: Stats;
}

const TEMP_RE = /^\.(.+)\.(\d+)\.([0-9a-z]+)\.tmp$/;

/** A temp path in the same folder as `path` (same filesystem, so rename is atomic). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
}

/** Follows symlinks to the final target (which may not exist yet); a loop is an error. */
function followLinks(path: string): string {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      return p;
    }
    if (!st.isSymbolicLink()) return p;
    p = resolve(dirname(p), readlinkSync(p));
  }
  throw new NirError("io.write_failed", "too many levels of symbolic links", { file: path, hint: "the path is a symlink loop" });
}

/** Resolves `path` for writing and refuses what must not be replaced (folders, read-only files). */
function writeTarget(path: string, opts: AtomicWriteOptions): WriteTarget {
  const target = followLinks(path);
  let st: Stats;
  try {
    st = statSync(target);
  } catch {
    return { path: target, kind: "missing" };
  }
  if (st.isDirectory()) {
    throw new NirError("io.write_failed", "is a folder, not a file", { file: path, hint: "give a file name inside the folder" });
  }
  if (!st.isFile()) return { path: target, kind: "special", stats: st };
  if (!opts.force && !writable(target, st)) {
    throw new NirError("io.write_failed", "the file is read-only", { file: path, hint: "pass --force (or { force: true }) to replace it, or write elsewhere" });
  }
  return { path: target, kind: "file", stats: st };
}

/** Writable for this process, and not marked read-only (no write bit: root may write anyway, but should not). */
function writable(path: string, st: Stats): boolean {
  if ((st.mode & 0o222) === 0) return false;
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Gives the temp file the replaced file's mode (and owner, when root may set it). */
function keepMode(tmp: string, st: Stats | undefined): void {
  if (!st) return;
  chmodSync(tmp, st.mode & 0o7777);
  if (process.getuid?.() === 0) {
    try {
      chownSync(tmp, st.uid, st.gid);
    } catch {
      // the filesystem may not support owners (e.g. a FAT mount): the mode is what matters
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Temp files in flight: removed on SIGTERM / SIGINT

const inFlight = new Set<string>();
const SIGNALS = ["SIGTERM", "SIGINT"] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const t of inFlight) rmSync(t, { force: true, recursive: true });
  inFlight.clear();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // with no other handler left, end the process as the signal would have
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function track(tmp: string): void {
  for (const s of SIGNALS) if (!process.listeners(s).includes(onSignal)) process.on(s, onSignal);
  inFlight.add(tmp);
}

function untrack(tmp: string): void {
  inFlight.delete(tmp);
  // A signal that came during a synchronous write is delivered on a later turn of the event loop:
  // keep listening a little longer so it is not dropped (onSignal then ends the process).
  if (inFlight.size === 0) {
    setTimeout(() => {
      if (inFlight.size === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
    }, 100).unref();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes temp files of `target` left by processes that no longer run (e.g. killed with SIGKILL). */
export function sweepStaleTemps(target: string): string[] {
  const dir = dirname(target);
  const base = basename(target);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = TEMP_RE.exec(name);
    if (!m || m[1] !== base) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || alive(pid)) continue;
    rmSync(join(dir, name), { force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------
// The writes

/**
 * Runs `write(tmp)` to produce the file at a temp path, then puts it at `path` (see the module
 * comment for symlinks, devices and read-only files). On any error the temp file is removed and
 * the original `path` is left untouched.
 */
export async function withAtomicPath<T>(path: string, write: (tmp: string) => Promise<T> | T, opts: AtomicWriteOptions = {}): Promise<T> {
  const target = writeTarget(path, opts);
  if (target.kind === "special") return writeSpecial(target.path, write);
  sweepStaleTemps(target.path);
  const tmp = tempPathFor(target.path);
  track(tmp);
  try {
    const r = await write(tmp);
    keepMode(tmp, target.stats);
    renameSync(tmp, target.path);
    return r;
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    untrack(tmp);
  }
}

/** A device or FIFO: the producer writes a private temp file, whose bytes are then written to it. */
async function writeSpecial<T>(device: string, write: (tmp: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "nirkit-"));
  track(dir);
  try {
    const tmp = join(dir, basename(device));
    const r = await write(tmp);
    copyInto(tmp, device);
    return r;
  } finally {
    rmSync(dir, { force: true, recursive: true });
    untrack(dir);
  }
}

/** Copies a file's bytes into an open device or FIFO (copyFile's kernel fast paths refuse devices). */
function copyInto(src: string, device: string): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  const from = openSync(src, "r");
  const to = openSync(device, "w");
  try {
    for (let n; (n = readSync(from, buf, 0, buf.length, null)) > 0; ) {
      for (let off = 0; off < n; ) off += writeSync(to, buf, off, n - off);
    }
  } finally {
    closeSync(from);
    closeSync(to);
  }
}

/** Writes bytes or text to `path` (see the module comment). */
export function writeFileAtomic(path: string, data: Uint8Array | string, opts: AtomicWriteOptions = {}): void {
  const target = writeTarget(path, opts);
  try {
    if (target.kind === "special") {
      writeFileSync(target.path, data);
      return;
    }
    sweepStaleTemps(target.path);
    const tmp = tempPathFor(target.path);
    track(tmp);
    try {
      writeFileSync(tmp, data);
      keepMode(tmp, target.stats);
      renameSync(tmp, target.path);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    } finally {
      untrack(tmp);
    }
  } catch (e) {
    throw new NirError("io.write_failed", `could not write: ${(e as Error).message}`, { file: path, cause: e, hint: "check that the folder exists and is writable" });
  }
}
