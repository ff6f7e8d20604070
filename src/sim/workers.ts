/**
 * `plan.runAsync` with `workers > 1`: splits the batch into contiguous chunks, runs each chunk
 * in a worker thread (which recompiles the graph: compiling is cheap, buffers are per thread),
 * and puts each chunk's results into the full batch as they arrive. Needs the compiled `dist/`
 * build (a worker loads `worker-entry.js` beside this file); from TypeScript sources it runs
 * in-thread.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { attachDisplay } from "../ir/display.js";
import { sizeOf, type Tensor } from "../ir/tensor.js";
import { batchAssembler, batchOf, buffersOf, guidedChunks, itemWork, rangeSlicer, type Part } from "./batch.js";
import type { CompileOptions, Plan, RunOptions, SimInput, SimResult } from "./types.js";

/** What a pooled worker is started with: the graph and options it compiles once. */
export interface WorkerInit {
  graph: Plan["graph"];
  options: CompileOptions;
}

/** Message sent to a worker. */
export interface WorkerJob {
  input: SimInput;
  record: string[];
  /** Post progress messages (only when the caller asked for progress). */
  progress?: boolean;
  /**
   * Set when the chunk was cut from events taken as sorted by item (its first item): the worker
   * subtracts it from every event's item (renumbering is the worker's work, not the caller's
   * thread's), checks that the items are non-decreasing and inside the chunk, and answers
   * `{ unsorted: true }` if not.
   */
  itemBase?: number;
}

interface Pool {
  workers: import("node:worker_threads").Worker[];
  /** Serialises runs on one plan's pool. */
  queue: Promise<unknown>;
}

/** One pool of compiled worker threads per plan, created on first use and reused (unref'd). */
const pools = new WeakMap<Plan, Pool>();

/** The plan's pool of W workers (created, or re-created for another W). */
async function poolFor(plan: Plan, entry: URL, W: number): Promise<Pool> {
  let pool = pools.get(plan);
  if (pool && pool.workers.length === W) return pool;
  const { Worker } = await import("node:worker_threads");
  const workers: import("node:worker_threads").Worker[] = [];
  for (let w = 0; w < W; w++) {
    const worker = new Worker(entry, { workerData: { graph: plan.graph, options: { ...plan.options, workers: 1 } } satisfies WorkerInit });
    worker.unref();
    workers.push(worker);
  }
  pool = { workers, queue: Promise.resolve() };
  pools.set(plan, pool);
  return pool;
}

/** A worker's message: progress of the chunk it runs, or a chunk's result or error. */
type WorkerMessage = { progress?: [number, number]; result?: SimResult; unsorted?: true; error?: { message: string; code?: string; node?: string } };

/** The shared state of one run's dispatch over the pool's workers. */
interface Dispatch {
  chunks: [number, number][];
  partOf: (r: number) => Part;
  opts: RunOptions;
  B: number;
  /** The next chunk to send. */
  next: number;
  /** Set when a worker reports an error or unsorted events: no more chunks are sent to any worker. */
  aborted: boolean;
  /** Set when a worker finds its chunk's events not sorted by item (see `WorkerJob.itemBase`). */
  unsorted: boolean;
  /** Progress: each chunk's fraction done, the steps per item (once known), the last value shown. */
  fraction: Float64Array;
  T: number;
  shown: number;
  steps: number;
  output: ReturnType<typeof batchAssembler>;
  recorded: ReturnType<typeof batchAssembler>;
}

/** Reports progress: finished items plus the running chunks' fractions, as steps of one item. */
function reportProgress(d: Dispatch): void {
  if (!d.opts.onProgress || !d.T) return;
  let items = 0;
  d.chunks.forEach(([lo, hi], c) => (items += (hi - lo) * d.fraction[c]));
  d.shown = Math.floor((items / d.B) * d.T);
  d.opts.onProgress(d.shown, d.T);
}

/** A worker's answer for chunk c: progress, a result placed into the full batch, unsorted events, or an error. */
function onAnswer(d: Dispatch, m: WorkerMessage, c: number, failure: Error | null, send: () => void): Error | null {
  if (m.result && !failure && !d.unsorted) {
    d.fraction[c] = 1;
    send();
    const lo = d.chunks[c][0];
    d.steps = m.result.steps;
    d.output.place("output", m.result.output, lo);
    for (const [key, r] of Object.entries(m.result.records)) d.recorded.place(key, r, lo);
  } else if (m.unsorted) {
    d.unsorted = true;
    d.aborted = true;
  } else if (!m.result) {
    failure ??= Object.assign(new Error(m.error!.message), { name: "NirError", code: m.error!.code, node: m.error!.node });
    d.aborted = true;
  }
  return failure;
}

/**
 * Serves one worker: keeps two chunks queued on it (no idle round trip between them) and sends
 * the next as one finishes; settles when it has answered every chunk it was sent.
 */
function serveWorker(worker: import("node:worker_threads").Worker, d: Dispatch): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // the chunks sent to this worker and not yet answered, in order (it runs them in order)
    const queued: number[] = [];
    const send = (): void => {
      if (d.next >= d.chunks.length || d.aborted) return;
      const c = d.next++;
      const { input: part, itemBase } = d.partOf(c);
      queued.push(c);
      const job: WorkerJob = { input: part, record: d.opts.record ?? [], progress: !!d.opts.onProgress, itemBase };
      worker.postMessage(job, buffersOf(part));
    };
    // after an error, the chunk still queued is awaited (its answer must not reach a later run)
    let failure: Error | null = null;
    const done = (e: Error | null): void => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.unref();
      if (e) reject(e);
      else resolve();
    };
    const onMessage = (m: WorkerMessage): void => {
      const c = queued[0];
      if (m.progress) {
        d.T = m.progress[1];
        d.fraction[c] = m.progress[0] / m.progress[1];
        reportProgress(d);
        return;
      }
      queued.shift();
      failure = onAnswer(d, m, c, failure, send);
      if (!queued.length) done(failure);
    };
    const onError = (e: Error): void => done(e);
    worker.ref();
    worker.on("message", onMessage);
    worker.on("error", onError);
    send();
    send();
    if (!queued.length) done(null);
  });
}

/**
 * Runs `input` on `plan.workers` threads (or in-thread when that cannot help). The batch is cut
 * into chunks of decreasing work (`guidedChunks`), each cut just before it is sent; every worker
 * keeps two chunks queued and takes the next as one finishes, so a worker slowed down (a busy
 * core) simply takes fewer.
 */
export async function runWithWorkers(plan: Plan, input: SimInput, opts: RunOptions, scan = false): Promise<SimResult> {
  const entry = new URL("./worker-entry.js", import.meta.url);
  const { B, batched, sorted, negative } = batchOf(input, plan.inputShape.length, scan);
  const W = Math.min(plan.workers, B);
  // a negative item: the single-thread run names the event (the one-pass cut would drop it)
  if (W <= 1 || !batched || negative || entry.protocol !== "file:" || !existsSync(fileURLToPath(entry))) return plan.run(input, opts);
  const pool = await poolFor(plan, entry, plan.workers);
  const n = sizeOf(plan.inputShape);
  const chunks = guidedChunks(itemWork(input, B, n, sorted), W);
  const partOf = rangeSlicer(input, chunks, n, sorted);
  if (!partOf) return runWithWorkers(plan, input, opts, true);
  const d: Dispatch = {
    chunks, partOf, opts, B, next: 0, aborted: false, unsorted: false, fraction: new Float64Array(chunks.length), T: 0, shown: 0, steps: 0,
    output: batchAssembler(B), recorded: batchAssembler(B),
  };
  // every worker finishes what it was sent before the run settles (a failed run must not leave
  // answers on their way to the next run's listeners); the first error is the run's
  const run = pool.queue.then(async () => {
    const settled = await Promise.allSettled(pool.workers.slice(0, W).map((w) => serveWorker(w, d)));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  });
  pool.queue = run.catch(() => undefined);
  await run;
  if (d.unsorted) {
    // the second run's progress starts at 0: never show less than this run already did
    const onProgress = opts.onProgress;
    return runWithWorkers(plan, input, onProgress ? { ...opts, onProgress: (dn, t) => onProgress(Math.max(dn, d.shown), t) } : opts, true);
  }
  const records: Record<string, Tensor> = Object.fromEntries(d.recorded.tensors);
  return attachDisplay({ dt: plan.dt, profile: plan.profile.name, steps: d.steps, batch: B, output: d.output.tensors.get("output")!, records }, "simulation");
}
