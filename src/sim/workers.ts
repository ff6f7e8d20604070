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
import type { EventInput, Plan, RunOptions, SimInput, SimResult } from "./plan.js";

/** Message sent to a worker. */
export interface WorkerJob {
  /** Unused by pooled workers (they get graph and options once, as workerData). */
  graph: Plan["graph"] | null;
  options: Plan["options"] | null;
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

/**
 * The batch size of an input, whether it is batched, and (events) whether the events come sorted
 * by item and whether an item is negative. Without `scan`, events with items are taken as sorted:
 * the batch size comes from the last event and nothing is read on the caller's thread; each
 * worker checks its own chunk (see `WorkerJob.itemBase`), and if one finds otherwise the run
 * starts again with `scan`, which finds all three in one index loop.
 */
function batchOf(input: SimInput, rank: number, scan: boolean): { B: number; batched: boolean; sorted: boolean; negative: boolean } {
  if ("dtype" in input) {
    const batched = input.shape.length === rank + 2;
    return { B: batched ? input.shape[1] : 1, batched, sorted: false, negative: false };
  }
  const bat = input.batch;
  let B = input.batchSize ?? 1;
  if (!bat) return { B, batched: true, sorted: false, negative: false };
  if (!scan) return { B: bat.length ? Math.max(B, bat[bat.length - 1] + 1) : B, batched: true, sorted: true, negative: false };
  let sorted = true;
  let top = -1;
  let low = 0;
  for (let k = 0, prev = 0; k < bat.length; k++) {
    const b = bat[k];
    if (b < prev) sorted = false;
    if (b > top) top = b;
    if (b < low) low = b;
    prev = b;
  }
  B = Math.max(B, top + 1);
  return { B, batched: true, sorted, negative: low < 0 };
}

/**
 * The input cut into the given contiguous item ranges, each a standalone input with fresh
 * buffers (so they can be transferred); events are distributed in one pass.
 */
function sliceInput(input: SimInput, ranges: [number, number][], n: number): SimInput[] {
  if ("dtype" in input) {
    const T = input.shape[0];
    const B = input.shape[1];
    const src = input.data as Float32Array;
    const Ctor = src.constructor as Float32ArrayConstructor;
    return ranges.map(([lo, hi]) => {
      const out = new Ctor(T * (hi - lo) * n);
      for (let t = 0; t < T; t++) out.set(src.subarray((t * B + lo) * n, (t * B + hi) * n), t * (hi - lo) * n);
      return { dtype: input.dtype, shape: [T, hi - lo, ...input.shape.slice(2)], data: out as never };
    });
  }
  const ev = input as EventInput;
  const E = ev.t.length;
  let B = 1;
  for (const [, hi] of ranges) B = Math.max(B, hi);
  const rangeOf = new Int32Array(B).fill(-1);
  ranges.forEach(([lo, hi], r) => rangeOf.fill(r, lo, hi));
  const count = new Int32Array(ranges.length);
  for (let k = 0; k < E; k++) {
    const r = rangeOf[ev.batch ? ev.batch[k] : 0];
    if (r >= 0) count[r]++;
  }
  const parts = ranges.map(([lo, hi], r) => ({
    steps: ev.steps, t: new Int32Array(count[r]), index: new Int32Array(count[r]), batch: new Int32Array(count[r]),
    value: ev.value ? new Float64Array(count[r]) : undefined, batchSize: hi - lo, lo,
  }));
  const fill = new Int32Array(ranges.length);
  for (let k = 0; k < E; k++) {
    const b = ev.batch ? ev.batch[k] : 0;
    const r = rangeOf[b];
    if (r < 0) continue;
    const p = parts[r];
    const j = fill[r]++;
    p.t[j] = ev.t[k];
    p.index[j] = ev.index[k];
    p.batch[j] = b - p.lo;
    if (p.value) p.value[j] = ev.value![k];
  }
  return parts.map(({ lo: _lo, ...p }) => p);
}

/** True when events carry items in ascending order (each item's events contiguous). */
function itemsSorted(ev: EventInput): boolean {
  const bat = ev.batch;
  if (!bat) return false;
  for (let k = 1; k < bat.length; k++) if (bat[k] < bat[k - 1]) return false;
  return true;
}

/** The first event of item b or later, in events sorted by item (binary search). */
function firstOf(bat: Int32Array, b: number): number {
  let lo = 0, hi = bat.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bat[mid] < b) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A chunk's input, and (cut from events sorted by item) the item its events start at: see `WorkerJob.itemBase`. */
interface Part {
  input: SimInput;
  itemBase?: number;
}

/**
 * A slicer that cuts one item range at a time (so a chunk is cut just before it is sent, while
 * the workers are busy): dense inputs and events sorted by item (`sorted`) are cut directly,
 * events by copying their ranges only (the worker renumbers the items); other events are all
 * distributed in one pass up front. For events taken as sorted, the chunks' first events are
 * found by binary search up front; null when they do not tile the events in order (so the
 * events are not sorted after all).
 */
function rangeSlicer(input: SimInput, ranges: [number, number][], n: number, sorted: boolean): ((r: number) => Part) | null {
  if ("dtype" in input) return (r) => ({ input: sliceInput(input, [ranges[r]], n)[0] });
  const ev = input as EventInput;
  const bat = ev.batch;
  if (!sorted || !bat) {
    const parts = sliceInput(input, ranges, n);
    return (r) => ({ input: parts[r] });
  }
  const first = new Int32Array(ranges.length + 1);
  for (let r = 0; r < ranges.length; r++) first[r] = firstOf(bat, ranges[r][0]);
  first[ranges.length] = firstOf(bat, ranges[ranges.length - 1][1]);
  if (first[0] !== 0 || first[ranges.length] !== bat.length) return null;
  for (let r = 0; r < ranges.length; r++) if (first[r + 1] < first[r]) return null;
  return (r) => {
    const a = first[r], z = first[r + 1];
    const value = ev.value ? Float64Array.from(ev.value.subarray(a, z)) : undefined;
    return { input: { steps: ev.steps, t: ev.t.slice(a, z), index: ev.index.slice(a, z), batch: bat.slice(a, z), value, batchSize: ranges[r][1] - ranges[r][0] }, itemBase: ranges[r][0] };
  };
}

/** The buffers of a sliced input, handed over to the worker instead of copied. */
function buffersOf(input: SimInput): ArrayBuffer[] {
  if ("dtype" in input) return [(input.data as Float32Array).buffer as ArrayBuffer];
  const ev = input as EventInput;
  return [ev.t, ev.index, ev.batch, ev.value].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []));
}

/**
 * The full-batch tensors of a run, filled chunk by chunk as the workers answer (so the copying
 * overlaps the other workers' running): `place` puts a chunk's (T, b, ...) tensor at item `lo`.
 */
function batchAssembler(B: number): { place(key: string, part: Tensor, lo: number): void; tensors: Map<string, Tensor> } {
  const tensors = new Map<string, Tensor>();
  return {
    tensors,
    place(key, part, lo) {
      const T = part.shape[0];
      const per = sizeOf(part.shape.slice(2));
      const len = part.shape[1] * per;
      let full = tensors.get(key);
      if (!full) {
        const Ctor = (part.data as Float64Array).constructor as Float64ArrayConstructor;
        full = { dtype: part.dtype, shape: [T, B, ...part.shape.slice(2)], data: new Ctor(T * B * per) };
        tensors.set(key, full);
      }
      const src = part.data as Float64Array;
      const dst = full.data as Float64Array;
      for (let t = 0; t < T; t++) dst.set(src.subarray(t * len, (t + 1) * len), (t * B + lo) * per);
    },
  };
}

/**
 * Estimated cost of each batch item: its events (or non-zero inputs) plus a fixed share for
 * the per-step work every item does, so chunks of equal cost finish together. Events sorted by
 * item (`sorted`, found here when not given) are counted by binary search, not one by one: the
 * caller's thread does this before any worker starts.
 */
export function itemWork(input: SimInput, B: number, n: number, sorted?: boolean): Float64Array {
  const work = new Float64Array(B);
  if ("dtype" in input) {
    const data = input.data as ArrayLike<number>;
    const T = input.shape[0];
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
      const o = (t * B + b) * n;
      let c = 0;
      for (let i = 0; i < n; i++) if (data[o + i] !== 0) c++;
      work[b] += c;
    }
  } else {
    const ev = input as EventInput;
    const bat = ev.batch;
    if (bat && (sorted ?? itemsSorted(ev))) {
      for (let b = 0, a = firstOf(bat, 0); b < B; b++) {
        const z = firstOf(bat, b + 1);
        work[b] = z - a;
        a = z;
      }
    } else for (let k = 0; k < ev.t.length; k++) work[bat ? bat[k] : 0]++;
  }
  let total = 0;
  for (let b = 0; b < B; b++) total += work[b];
  const fixed = total / B / 4 + 1;
  for (let b = 0; b < B; b++) work[b] += fixed;
  return work;
}

/**
 * Chunks for W workers handed out in order: each takes about 1/(2W) of the work still left (at
 * least 1/(16W) of the whole, and one item), so early chunks are large (few messages) and the
 * last ones small (the workers finish together).
 */
export function guidedChunks(work: Float64Array, W: number): [number, number][] {
  const B = work.length;
  let total = 0;
  for (let b = 0; b < B; b++) total += work[b];
  const chunks: [number, number][] = [];
  let left = total;
  for (let lo = 0; lo < B; ) {
    const goal = Math.max(left / (2 * W), total / (16 * W));
    let hi = lo + 1, acc = work[lo];
    while (hi < B && acc + work[hi] <= goal) acc += work[hi++];
    chunks.push([lo, hi]);
    left -= acc;
    lo = hi;
  }
  return chunks;
}

interface Pool {
  workers: import("node:worker_threads").Worker[];
  /** Serialises runs on one plan's pool. */
  queue: Promise<unknown>;
}

/** One pool of compiled worker threads per plan, created on first use and reused (unref'd). */
const pools = new WeakMap<Plan, Pool>();

async function poolFor(plan: Plan, entry: URL, W: number): Promise<Pool> {
  let pool = pools.get(plan);
  if (pool && pool.workers.length === W) return pool;
  const { Worker } = await import("node:worker_threads");
  const workers: import("node:worker_threads").Worker[] = [];
  for (let w = 0; w < W; w++) {
    const worker = new Worker(entry, { workerData: { graph: plan.graph, options: { ...plan.options, workers: 1 } } });
    worker.unref();
    workers.push(worker);
  }
  pool = { workers, queue: Promise.resolve() };
  pools.set(plan, pool);
  return pool;
}

/** A worker's message: progress of the chunk it runs, or a chunk's result or error. */
type WorkerMessage = { progress?: [number, number]; result?: SimResult; unsorted?: true; error?: { message: string; code?: string; node?: string } };

/**
 * Runs `input` on `plan.workers` threads (or in-thread when that cannot help). The batch is cut
 * into chunks of decreasing work (`guidedChunks`), each cut just before it is sent; every worker
 * keeps two chunks queued (no idle round trip between them) and takes the next as one finishes,
 * so a worker slowed down (a busy core) simply takes fewer.
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
  // set when a worker finds its chunk's events not sorted by item (see `WorkerJob.itemBase`)
  let unsorted = false;
  const output = batchAssembler(B);
  const recorded = batchAssembler(B);
  let steps = 0;
  // progress: finished items plus the running chunks' fractions, as steps of one item
  const fraction = new Float64Array(chunks.length);
  let T = 0;
  let shown = 0;
  const report = (): void => {
    if (!opts.onProgress || !T) return;
    let items = 0;
    chunks.forEach(([lo, hi], c) => (items += (hi - lo) * fraction[c]));
    shown = Math.floor((items / B) * T);
    opts.onProgress(shown, T);
  };
  let next = 0;
  // set when a worker reports an error: no more chunks are sent to any worker
  let aborted = false;
  const serve = (worker: import("node:worker_threads").Worker): Promise<void> => new Promise<void>((resolve, reject) => {
    // the chunks sent to this worker and not yet answered, in order (it runs them in order)
    const queued: number[] = [];
    const send = (): void => {
      if (next >= chunks.length || aborted) return;
      const c = next++;
      const { input: part, itemBase } = partOf(c);
      queued.push(c);
      const job: WorkerJob = { graph: null, options: null, input: part, record: opts.record ?? [], progress: !!opts.onProgress, itemBase };
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
        T = m.progress[1];
        fraction[c] = m.progress[0] / m.progress[1];
        report();
        return;
      }
      queued.shift();
      if (m.result && !failure && !unsorted) {
        fraction[c] = 1;
        send();
        const lo = chunks[c][0];
        steps = m.result.steps;
        output.place("output", m.result.output, lo);
        for (const [key, r] of Object.entries(m.result.records)) recorded.place(key, r, lo);
      } else if (m.unsorted) {
        unsorted = true;
        aborted = true;
      } else if (!m.result) {
        failure ??= Object.assign(new Error(m.error!.message), { name: "NirError", code: m.error!.code, node: m.error!.node });
        aborted = true;
      }
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
  // every worker finishes what it was sent before the run settles (a failed run must not leave
  // answers on their way to the next run's listeners); the first error is the run's
  const run = pool.queue.then(async () => {
    const settled = await Promise.allSettled(pool.workers.slice(0, W).map(serve));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  });
  pool.queue = run.catch(() => undefined);
  await run;
  if (unsorted) {
    // the second run's progress starts at 0: never show less than this run already did
    const onProgress = opts.onProgress;
    return runWithWorkers(plan, input, onProgress ? { ...opts, onProgress: (d, t) => onProgress(Math.max(d, shown), t) } : opts, true);
  }
  const records: Record<string, Tensor> = Object.fromEntries(recorded.tensors);
  return attachDisplay({ dt: plan.dt, profile: plan.profile.name, steps, batch: B, output: output.tensors.get("output")!, records }, "simulation");
}
