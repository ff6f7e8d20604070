/**
 * `plan.runAsync` with `workers > 1`: splits the batch into contiguous chunks, runs each chunk
 * in a worker thread (which recompiles the graph: compiling is cheap, buffers are per thread),
 * and concatenates the results along the batch axis. Needs the compiled `dist/` build (a
 * worker loads `worker-entry.js` beside this file); from TypeScript sources it runs in-thread.
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
}

function batchOf(input: SimInput, rank: number): { B: number; batched: boolean } {
  if ("dtype" in input) {
    const batched = input.shape.length === rank + 2;
    return { B: batched ? input.shape[1] : 1, batched };
  }
  let B = input.batchSize ?? 1;
  if (input.batch) for (const b of input.batch) B = Math.max(B, b + 1);
  return { B, batched: true };
}

function sliceInput(input: SimInput, lo: number, hi: number, n: number): SimInput {
  if ("dtype" in input) {
    const T = input.shape[0];
    const B = input.shape[1];
    const src = input.data as Float32Array;
    const Ctor = src.constructor as Float32ArrayConstructor;
    const out = new Ctor(T * (hi - lo) * n);
    for (let t = 0; t < T; t++) out.set(src.subarray((t * B + lo) * n, (t * B + hi) * n), t * (hi - lo) * n);
    return { dtype: input.dtype, shape: [T, hi - lo, ...input.shape.slice(2)], data: out as never };
  }
  const ev = input as EventInput;
  const keep: number[] = [];
  for (let k = 0; k < ev.t.length; k++) {
    const b = ev.batch ? ev.batch[k] : 0;
    if (b >= lo && b < hi) keep.push(k);
  }
  const t = new Int32Array(keep.length), index = new Int32Array(keep.length), batch = new Int32Array(keep.length);
  const value = ev.value ? new Float32Array(keep.length) : undefined;
  keep.forEach((k, j) => {
    t[j] = ev.t[k];
    index[j] = ev.index[k];
    batch[j] = (ev.batch ? ev.batch[k] : 0) - lo;
    if (value) value[j] = ev.value![k];
  });
  return { steps: ev.steps, t, index, batch, value, batchSize: hi - lo };
}

function concatBatch(parts: Tensor[]): Tensor {
  const T = parts[0].shape[0];
  const per = sizeOf(parts[0].shape.slice(2));
  const B = parts.reduce((s, p) => s + p.shape[1], 0);
  const Ctor = (parts[0].data as Float64Array).constructor as Float64ArrayConstructor;
  const out = new Ctor(T * B * per);
  for (let t = 0; t < T; t++) {
    let off = t * B * per;
    for (const p of parts) {
      const len = p.shape[1] * per;
      out.set((p.data as Float64Array).subarray(t * len, (t + 1) * len), off);
      off += len;
    }
  }
  return { dtype: parts[0].dtype, shape: [T, B, ...parts[0].shape.slice(2)], data: out };
}

/**
 * Estimated cost of each batch item: its events (or non-zero inputs) plus a fixed share for
 * the per-step work every item does, so chunks of equal cost finish together.
 */
export function itemWork(input: SimInput, B: number, n: number): Float64Array {
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
    for (let k = 0; k < ev.t.length; k++) work[ev.batch ? ev.batch[k] : 0]++;
  }
  let total = 0;
  for (let b = 0; b < B; b++) total += work[b];
  const fixed = total / B / 4 + 1;
  for (let b = 0; b < B; b++) work[b] += fixed;
  return work;
}

/** Splits items 0..B−1 into W contiguous, non-empty ranges of about equal total work. */
export function splitByWork(work: Float64Array, W: number): [number, number][] {
  const B = work.length;
  let total = 0;
  for (let b = 0; b < B; b++) total += work[b];
  const bounds: [number, number][] = [];
  let lo = 0, acc = 0;
  for (let w = 0; w < W; w++) {
    if (w === W - 1) {
      bounds.push([lo, B]);
      break;
    }
    const goal = (total * (w + 1)) / W;
    let hi = lo + 1; // at least one item
    acc += work[lo];
    // take the next item while that brings the running sum closer to the goal, leaving one item per remaining chunk
    while (hi < B - (W - 1 - w) && Math.abs(acc + work[hi] - goal) < Math.abs(acc - goal)) acc += work[hi++];
    bounds.push([lo, hi]);
    lo = hi;
  }
  return bounds;
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

function runOn(worker: import("node:worker_threads").Worker, job: WorkerJob, onProgress: (done: number, total: number) => void): Promise<SimResult> {
  return new Promise<SimResult>((resolve, reject) => {
    const onMessage = (m: { progress?: [number, number]; result?: SimResult; error?: { message: string; code?: string; node?: string } }) => {
      if (m.progress) onProgress(m.progress[0], m.progress[1]);
      else {
        worker.off("message", onMessage);
        worker.off("error", onError);
        if (m.result) resolve(m.result);
        else reject(Object.assign(new Error(m.error!.message), { name: "NirError", code: m.error!.code, node: m.error!.node }));
      }
    };
    const onError = (e: Error) => {
      worker.off("message", onMessage);
      reject(e);
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.postMessage(job);
  });
}

/** Runs `input` on `plan.workers` threads (or in-thread when that cannot help). */
export async function runWithWorkers(plan: Plan, input: SimInput, opts: RunOptions): Promise<SimResult> {
  const entry = new URL("./worker-entry.js", import.meta.url);
  const { B, batched } = batchOf(input, plan.inputShape.length);
  const W = Math.min(plan.workers, B);
  if (W <= 1 || !batched || entry.protocol !== "file:" || !existsSync(fileURLToPath(entry))) return plan.run(input, opts);
  const pool = await poolFor(plan, entry, plan.workers);
  const n = sizeOf(plan.inputShape);
  const bounds = splitByWork(itemWork(input, B, n), W);
  const progress = new Array(W).fill(0);
  const run = pool.queue.then(() => Promise.all(bounds.map(([lo, hi], w) => {
    pool.workers[w].ref();
    const job: WorkerJob = { graph: null, options: null, input: sliceInput(input, lo, hi, n), record: opts.record ?? [] };
    return runOn(pool.workers[w], job, (d, t) => {
      progress[w] = d;
      opts.onProgress?.(Math.min(...progress), t);
    }).finally(() => pool.workers[w].unref());
  })));
  pool.queue = run.catch(() => undefined);
  const results = await run;
  const records: Record<string, Tensor> = {};
  for (const key of Object.keys(results[0].records)) records[key] = concatBatch(results.map((r) => r.records[key]));
  return attachDisplay({ dt: plan.dt, profile: plan.profile.name, steps: results[0].steps, batch: B, output: concatBatch(results.map((r) => r.output)), records }, "simulation");
}
