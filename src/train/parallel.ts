/**
 * The worker-thread driver of `trainAsync`: W workers each compile the graph once; per batch this
 * thread writes the current parameters and each worker's shard of the input (contiguous items, see
 * `shardBatch`) into shared memory, each worker computes its shard's mean loss and gradients, and
 * this thread combines them in worker order (`reduceGradients` with the shard weights n_w/B), so
 * a fixed seed and worker count give the same weights bit for bit. The evaluation is split the
 * same way: each worker runs the simulator on its part of the test split.
 * Needs the compiled build (dist/train/worker-entry.js beside this file).
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { NirError, type NirErrorCode } from "../ir/errors.js";
import { sizeOf } from "../ir/tensor.js";
import type { NIRGraph } from "../ir/types.js";
import type { SimInput } from "../sim/types.js";
import type { TrainData } from "./data.js";
import { simInput, type EvalOptions } from "./evaluate.js";
import type { Buf } from "./kernels/types.js";
import type { LossName, MseOptions } from "./loss.js";
import type { NetOptions, TrainNet } from "./network.js";
import { reduceGradients, shardBatch, shardWeights, TrainWorkerPool } from "./workers.js";

/** What every worker is started with: the graph, how to compile it, and the shared buffers. */
export interface ParallelInit {
  graph: NIRGraph;
  net: NetOptions;
  lossOptions: { loss?: LossName; spikeReg?: number } & MseOptions;
  steps: number;
  /** Values per input sample. */
  sampleSize: number;
  /** This thread's parameters (written before each batch), one buffer per parameter. */
  params: SharedArrayBuffer[];
  /** Per worker: its input shard (T, shard, ...) and its gradients, one buffer per parameter. */
  inputs: SharedArrayBuffer[];
  grads: SharedArrayBuffer[][];
}

/** A task: a batch shard (its input is in the shared buffer) or a part of the test split to simulate. */
export type ParallelTask =
  | { kind: "batch"; worker: number; B: number; labels: Int32Array }
  | { kind: "eval"; graph: NIRGraph; eval: EvalOptions; B: number; input: SimInput };

/** A worker's answer: a shard's loss and predictions, test predictions, or an error. */
export type ParallelAnswer = { loss?: number; predictions?: Int32Array; error?: { message: string; code?: string; node?: string } };

/** Data-parallel gradients and evaluation over worker threads. */
export interface ParallelEngine {
  /** Writes the batch mean loss's gradients into `net.params[].grad`; returns the loss and predictions. */
  step(idx: ArrayLike<number>, labels: Int32Array): Promise<{ loss: number; predictions: Int32Array }>;
  /** The simulator's test predictions for `graph`, the test split divided among the workers. */
  evaluate(graph: NIRGraph, opts: EvalOptions): Promise<Int32Array>;
  close(): Promise<void>;
}

const sharedOf = (dtype: "float32" | "float64", n: number): SharedArrayBuffer => new SharedArrayBuffer(Math.max(1, n) * (dtype === "float64" ? 8 : 4));
const viewOf = (dtype: "float32" | "float64", b: SharedArrayBuffer, n: number): Buf => (dtype === "float64" ? new Float64Array(b, 0, n) : new Float32Array(b, 0, n));

/** Turns a worker's answer into its value, or a NirError naming the worker (code and node kept). */
function unwrap(a: ParallelAnswer, w: number): ParallelAnswer {
  if (!a.error) return a;
  throw new NirError((a.error.code ?? "train.worker") as NirErrorCode, `training worker ${w}: ${a.error.message}`, { node: a.error.node });
}

/** Rejections of the pool (a worker that threw outside a task, or exited) as a NirError. */
function asNirError(e: unknown): Error {
  if (e instanceof NirError) return e;
  return new NirError("train.worker", (e as Error).message, { hint: "a training worker thread stopped; run with workers: 1 to see the error in this thread" });
}

/** Starts W workers for `net` (compiled from `graph` in this thread with `options`). */
export async function startParallel(graph: NIRGraph, net: TrainNet, data: TrainData, options: NetOptions & { loss?: LossName; spikeReg?: number } & MseOptions, batch: number, W: number): Promise<ParallelEngine> {
  const entry = new URL("./worker-entry.js", import.meta.url);
  if (entry.protocol !== "file:" || !existsSync(fileURLToPath(entry))) {
    throw new NirError("train.options", "training workers need the compiled build (worker-entry.js beside parallel.js)", { field: "workers", hint: "build with npm run build and import nirkit from dist/, or train with workers: 1" });
  }
  const { dtype } = net;
  const T = data.train.steps, n = sizeOf(data.train.shape);
  const maxShard = Math.ceil(batch / W);
  const surrogate = typeof options.surrogate === "object" ? `${options.surrogate.kind}:${options.surrogate.k}` : options.surrogate;
  const init: ParallelInit = {
    graph, steps: T, sampleSize: n,
    net: { dt: options.dt, profile: options.profile, reset: options.reset, surrogate, resetGrad: options.resetGrad, recurrentBiasAtStart: options.recurrentBiasAtStart, dtype },
    lossOptions: { loss: options.loss, spikeReg: options.spikeReg, correctRate: options.correctRate, incorrectRate: options.incorrectRate },
    params: net.params.map((p) => sharedOf(dtype, p.data.length)),
    inputs: Array.from({ length: W }, () => sharedOf(dtype, T * maxShard * n)),
    grads: Array.from({ length: W }, () => net.params.map((p) => sharedOf(dtype, p.grad.length))),
  };
  const params = net.params.map((p, k) => viewOf(dtype, init.params[k], p.data.length));
  const inputs = init.inputs.map((b) => viewOf(dtype, b, T * maxShard * n));
  const grads = init.grads.map((g) => g.map((b, k) => viewOf(dtype, b, net.params[k].grad.length)));
  const pool = new TrainWorkerPool<ParallelTask, ParallelAnswer>(W, entry, { workerData: init });
  const run = async (tasks: { message: ParallelTask; transfer?: ArrayBuffer[] }[]): Promise<ParallelAnswer[]> => {
    try {
      return (await pool.map(tasks)).map(unwrap);
    } catch (e) {
      throw asNirError(e);
    }
  };
  return {
    async step(idx, labels) {
      const shards = shardBatch(idx.length, W).filter(([a, b]) => b > a);
      net.params.forEach((p, k) => params[k].set(p.data));
      const tasks = shards.map(([a, b], w) => {
        data.train.fill(Array.prototype.slice.call(idx, a, b) as number[], inputs[w].subarray(0, T * (b - a) * n));
        return { message: { kind: "batch" as const, worker: w, B: b - a, labels: labels.slice(a, b) } };
      });
      const answers = await run(tasks);
      const weights = shardWeights(shards);
      reduceGradients(shards.map((_, w) => grads[w]), net.params.map((p) => p.grad), weights);
      let loss = 0;
      answers.forEach((r, w) => (loss += weights[w] * r.loss!));
      const predictions = new Int32Array(idx.length);
      answers.forEach((r, w) => predictions.set(r.predictions!, shards[w][0]));
      return { loss, predictions };
    },
    async evaluate(g, opts) {
      const parts = shardBatch(data.test.size, W).filter(([a, b]) => b > a);
      const answers = await run(parts.map(([a, b]) => {
        const input = simInput(data.test, a, b - a);
        const transfer = ("dtype" in input ? [input.data.buffer] : [input.t.buffer, input.index.buffer, ...(input.batch ? [input.batch.buffer] : [])]) as ArrayBuffer[];
        return { message: { kind: "eval" as const, graph: g, eval: opts, B: b - a, input }, transfer };
      }));
      const out = new Int32Array(data.test.size);
      answers.forEach((r, w) => out.set(r.predictions!, parts[w][0]));
      return out;
    },
    close: () => pool.close(),
  };
}
