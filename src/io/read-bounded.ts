/**
 * HDF5 reads with a deadline. A damaged file can send HDF5 itself into an endless loop (a zeroed
 * global heap does), which no JavaScript can interrupt in the thread it runs in, and an h5wasm
 * abort leaves its module unusable. So reads run in one shared worker thread that can be
 * terminated: past the deadline the worker is stopped (io.timeout) and the next read starts a
 * fresh one. The worker is also replaced when a read left its wasm memory large (so memory does
 * not stay grown across reads) or h5wasm aborted in it. The worker is unref'd while idle: it never keeps a process alive.
 *
 * When the compiled worker body is not there (nirkit run from its TypeScript sources, as the unit
 * tests do), reads run in-process without a deadline.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { NirError, type NirErrorCode } from "../ir/errors.js";
import { readH5, readH5Dataset, type H5Dataset, type H5Group, type ReadH5Options } from "./h5.js";

/** Default deadline of one read, in milliseconds (a real .nir file reads in well under a second). */
export const DEFAULT_READ_TIMEOUT_MS = 30_000;

/** The deadline a read uses: the option, else the environment's NIRKIT_READ_TIMEOUT_MS, else the default. */
export function readTimeoutMs(option?: number): number {
  if (option !== undefined) return option;
  const env = Number(process.env.NIRKIT_READ_TIMEOUT_MS);
  return process.env.NIRKIT_READ_TIMEOUT_MS && Number.isFinite(env) && env >= 0 ? env : DEFAULT_READ_TIMEOUT_MS;
}
/** A worker whose wasm memory grew beyond this is replaced after its read. */
const RECYCLE_HEAP_BYTES = 256 * 2 ** 20;

/** Options of a bounded read. */
export interface BoundedReadOptions extends ReadH5Options {
  /** Deadline in milliseconds; 0 reads in-process without one. Default {@link DEFAULT_READ_TIMEOUT_MS}. */
  timeoutMs?: number;
}

/** A request to the read worker. */
export interface ReadRequest {
  id: number;
  path: string;
  /** Read only this dataset (e.g. "/version") instead of the whole tree. */
  dataset?: string;
  options: ReadH5Options;
}

/** The read worker's answer: the tree, or a NirError as plain fields; and its wasm memory size (Infinity after an h5wasm abort). */
export interface ReadReply {
  id: number;
  tree?: H5Group | H5Dataset | null;
  error?: { code?: string; problem?: string; file?: string; node?: string; field?: string; hint?: string };
  heapBytes: number;
}

interface Pending {
  resolve: (r: ReadReply) => void;
  reject: (e: unknown) => void;
}

interface Shared {
  worker: Worker;
  pending: Map<number, Pending>;
}

let shared: Shared | null = null;
let nextId = 1;
/** Reads run one at a time, so each deadline counts only its own read. */
let queue: Promise<unknown> = Promise.resolve();

const entry = new URL("./read-worker.js", import.meta.url);

/** True when reads can run in the worker (the compiled worker body exists). */
export function boundedReadsAvailable(): boolean {
  return existsSync(fileURLToPath(entry));
}

function sharedWorker(): Shared {
  if (shared) return shared;
  const worker = new Worker(entry);
  const s: Shared = { worker, pending: new Map() };
  const fail = (e: unknown): void => {
    if (shared === s) shared = null;
    for (const p of s.pending.values()) p.reject(e);
    s.pending.clear();
  };
  worker.on("message", (r: ReadReply) => {
    const p = s.pending.get(r.id);
    s.pending.delete(r.id);
    if (s.pending.size === 0) worker.unref();
    if (r.heapBytes > RECYCLE_HEAP_BYTES && s.pending.size === 0) stop(s);
    p?.resolve(r);
  });
  worker.on("error", (e) => fail(new NirError("io.corrupt", `the read worker failed: ${e.message}`, { cause: e, hint: "the file is damaged or not a NIR file" })));
  worker.on("exit", () => fail(new NirError("io.corrupt", "the read worker stopped", { hint: "the file is damaged or not a NIR file" })));
  worker.unref();
  shared = s;
  return s;
}

function stop(s: Shared): void {
  if (shared === s) shared = null;
  void s.worker.terminate();
}

/**
 * Starts the shared read worker ahead of the first read, so that its thread loads and compiles
 * h5wasm while the caller does other work (the nirkit kernel calls it as it starts, before
 * TypeScript builds its program). Does nothing when reads run in-process or a worker is running.
 */
export function prepareReads(): void {
  if (boundedReadsAvailable()) sharedWorker();
}

/** Stops the shared read worker (if any); the next bounded read starts a new one. */
export async function stopReadWorker(): Promise<void> {
  const s = shared;
  shared = null;
  if (s) await s.worker.terminate();
}

function inWorker(req: Omit<ReadRequest, "id">, timeoutMs: number): Promise<ReadReply> {
  const run = queue.then(() => send(req, timeoutMs));
  queue = run.catch(() => undefined);
  return run;
}

async function send(req: Omit<ReadRequest, "id">, timeoutMs: number): Promise<ReadReply> {
  const s = sharedWorker();
  const id = nextId++;
  return new Promise<ReadReply>((resolve, reject) => {
    const timer = setTimeout(() => {
      s.pending.delete(id);
      stop(s);
      reject(new NirError("io.timeout", `reading took longer than ${timeoutMs / 1000} s and was stopped`, {
        file: req.path,
        hint: "HDF5 loops forever on some damaged files (e.g. a zeroed global heap); re-export the file",
      }));
    }, timeoutMs);
    const done = <T>(f: (x: T) => void) => (x: T) => {
      clearTimeout(timer);
      f(x);
    };
    s.pending.set(id, { resolve: done(resolve), reject: done(reject) });
    s.worker.ref();
    s.worker.postMessage({ ...req, id });
  });
}

function unwrap(r: ReadReply): H5Group | H5Dataset | null {
  if (r.error) {
    const e = r.error;
    throw new NirError((e.code ?? "io.corrupt") as NirErrorCode, e.problem ?? "cannot read the file", { file: e.file, node: e.node, field: e.field, hint: e.hint });
  }
  return r.tree ?? null;
}

/** {@link readH5} with a deadline (see the module comment). */
export async function readH5Bounded(path: string, opts: BoundedReadOptions = {}): Promise<H5Group> {
  const { timeoutMs: option, ...options } = opts;
  const timeoutMs = readTimeoutMs(option);
  if (timeoutMs <= 0 || !boundedReadsAvailable()) return readH5(path, options);
  return unwrap(await inWorker({ path, options }, timeoutMs)) as H5Group;
}

/** {@link readH5Dataset} with a deadline (see the module comment). */
export async function readH5DatasetBounded(path: string, dataset: string, opts: BoundedReadOptions = {}): Promise<H5Dataset | null> {
  const { timeoutMs: option, ...options } = opts;
  const timeoutMs = readTimeoutMs(option);
  if (timeoutMs <= 0 || !boundedReadsAvailable()) return readH5Dataset(path, dataset, options);
  return unwrap(await inWorker({ path, dataset, options }, timeoutMs)) as H5Dataset | null;
}
