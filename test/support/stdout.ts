/** The one output-capture helper for CLI tests: runs a command in-process and collects what it writes. */
import fs from "node:fs";

/** What {@link captureOutput} collected. */
export interface Captured<T> {
  /** The function's result (undefined when it threw). */
  value: T | undefined;
  out: string;
  err: string;
  /** What the function threw, if anything. */
  error?: unknown;
}

/**
 * Runs `f` with process.stdout/stderr (and `fs.writeSync` to fd 1 and 2) captured, then restores
 * them. It never throws: an exception is returned in `error`.
 */
export async function captureOutput<T>(f: () => Promise<T> | T): Promise<Captured<T>> {
  let out = "", err = "";
  const o = process.stdout.write, e = process.stderr.write, w = fs.writeSync;
  (process.stdout as { write: unknown }).write = (s: string | Uint8Array) => ((out += String(s)), true);
  (process.stderr as { write: unknown }).write = (s: string | Uint8Array) => ((err += String(s)), true);
  (fs as { writeSync: unknown }).writeSync = (fd: number, d: unknown, ...rest: unknown[]) =>
    fd === 1 ? ((out += String(d)), 0) : fd === 2 ? ((err += String(d)), 0) : (w as (...a: unknown[]) => number)(fd, d, ...rest);
  try {
    return { value: await f(), out, err };
  } catch (error) {
    return { value: undefined, out, err, error };
  } finally {
    (process.stdout as { write: unknown }).write = o;
    (process.stderr as { write: unknown }).write = e;
    (fs as { writeSync: unknown }).writeSync = w;
  }
}

/** Runs `f` with its output captured and returns its result, rethrowing what it threw (output dropped). */
export async function quietly<T>(f: () => Promise<T> | T): Promise<T> {
  const r = await captureOutput(f);
  if ("error" in r) throw r.error;
  return r.value as T;
}

/** Runs an in-process CLI command with its output captured: its exit code and stdout; what it threw is rethrown. */
export async function runCaptured(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const r = await captureOutput(run);
  if ("error" in r) throw r.error;
  return { code: r.value as number, out: r.out };
}
