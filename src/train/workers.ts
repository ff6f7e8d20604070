/**
 * Data-parallel training over worker threads: a batch is split into contiguous shards, each worker
 * computes its shard's gradients, and the caller combines them in a fixed order. Both steps are
 * pure functions of the batch size and worker count, so a run with the same seed and worker count
 * gives the same weights bit for bit, whichever worker finishes first.
 */
import { Worker } from "node:worker_threads";
import type { Buf } from "./kernels/types.js";

/**
 * Splits `batch` items into `workers` contiguous shards [start, end): sizes differ by at most one,
 * the larger shards first; with more workers than items the extra shards are empty.
 */
export function shardBatch(batch: number, workers: number): [number, number][] {
  if (!Number.isInteger(batch) || batch < 0 || !Number.isInteger(workers) || workers < 1) {
    throw new Error(`shardBatch: batch ${batch} and workers ${workers} must be a whole number ≥ 0 and ≥ 1`);
  }
  const base = Math.floor(batch / workers), extra = batch % workers;
  const out: [number, number][] = [];
  for (let w = 0, start = 0; w < workers; w++) {
    const end = start + base + (w < extra ? 1 : 0);
    out.push([start, end]);
    start = end;
  }
  return out;
}

/**
 * The weights that turn per-shard mean gradients into the batch mean: shard w of n_w items gets
 * n_w / batch (Σ_w n_w/batch · mean_w = mean over the batch).
 */
export function shardWeights(shards: [number, number][]): number[] {
  const batch = shards.reduce((s, [a, b]) => s + (b - a), 0);
  return shards.map(([a, b]) => (batch === 0 ? 0 : (b - a) / batch));
}

/**
 * out[k][i] = Σ_w weight[w]·parts[w][k][i] for every gradient buffer k, summed in double precision
 * in worker order w = 0, 1, … and rounded once into out's precision: the result depends only on
 * the parts and their order, never on which worker finished first. `parts[w]` lists worker w's
 * gradient buffers in the same order and sizes as `out`; weight defaults to 1 (a plain sum).
 */
export function reduceGradients(parts: ReadonlyArray<ReadonlyArray<Buf>>, out: Buf[], weight?: ReadonlyArray<number>): void {
  for (const [w, p] of parts.entries()) {
    if (p.length !== out.length || p.some((b, k) => b.length !== out[k].length)) {
      throw new Error(`reduceGradients: worker ${w} returned buffers of other sizes than the model's gradients`);
    }
  }
  for (let k = 0; k < out.length; k++) {
    const o = out[k];
    for (let i = 0; i < o.length; i++) {
      let s = 0;
      for (let w = 0; w < parts.length; w++) s += (weight ? weight[w] : 1) * parts[w][k][i];
      o[i] = s;
    }
  }
}

/** A task for one worker and the ArrayBuffers to move (not copy) with it. */
export interface PoolTask<T> {
  message: T;
  transfer?: ArrayBuffer[];
}

/**
 * A fixed set of worker threads running one script, each answering one message with one message.
 * `map` sends task w to worker w and resolves with the answers in worker order. A worker that
 * throws or exits rejects its task (and every later task it is given) instead of leaving it
 * waiting: errors surface, nothing hangs.
 */
export class TrainWorkerPool<T, R> {
  private readonly workers: Worker[];
  /** Why each worker can no longer answer (null while it runs). */
  private readonly failed: (Error | null)[];
  /** The reject function of the task each worker is running, if any. */
  private readonly pending: (((e: Error) => void) | null)[];

  /** `script`: a file URL of the worker module, or module source with `{ eval: true }`. */
  constructor(size: number, script: URL | string, options: { eval?: boolean; workerData?: unknown } = {}) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`TrainWorkerPool: size ${size} must be a whole number ≥ 1`);
    this.workers = Array.from({ length: size }, () => new Worker(script, { eval: options.eval, workerData: options.workerData }));
    this.failed = this.workers.map(() => null);
    this.pending = this.workers.map(() => null);
    this.workers.forEach((worker, w) => {
      const fail = (e: Error): void => {
        this.failed[w] ??= e;
        const reject = this.pending[w];
        this.pending[w] = null;
        reject?.(this.failed[w]!);
      };
      worker.on("error", (e: Error) => fail(new Error(`training worker ${w} failed: ${e.message}`)));
      worker.on("exit", (code: number) => fail(new Error(`training worker ${w} exited (code ${code})`)));
    });
  }

  /** Number of workers. */
  get size(): number {
    return this.workers.length;
  }

  /** Runs task w on worker w (at most one task per worker) and returns the answers in order. */
  map(tasks: PoolTask<T>[]): Promise<R[]> {
    if (tasks.length > this.workers.length) throw new Error(`TrainWorkerPool: ${tasks.length} tasks for ${this.workers.length} workers`);
    return Promise.all(tasks.map((t, w) => new Promise<R>((resolve, reject) => {
      const dead = this.failed[w];
      if (dead) {
        reject(dead);
        return;
      }
      const worker = this.workers[w];
      const onMessage = (m: R): void => {
        this.pending[w] = null;
        resolve(m);
      };
      this.pending[w] = (e) => {
        worker.off("message", onMessage);
        reject(e);
      };
      worker.once("message", onMessage);
      worker.postMessage(t.message, t.transfer ?? []);
    })));
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.failed.forEach((f, w) => (this.failed[w] = f ?? new Error(`training worker ${w} was closed`)));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
