/**
 * The training loop (`nir.train`): seeded shuffling, mini-batches through forward, loss, BPTT and
 * the optimiser, then an evaluation of the test split by the simulator itself on the graph as it
 * will be written (so the test accuracy is what `nir simulate` gives on the output file, prediction
 * for prediction). The train accuracy comes from the training forward passes of the epoch.
 */
import { NirError } from "../ir/errors.js";
import { sizeOf } from "../ir/tensor.js";
import type { NIRGraph } from "../ir/types.js";
import { seededRng, shuffleInPlace } from "../data/random.js";
import type { Buf } from "./kernels/types.js";
import { batchStep } from "./gradients.js";
import { graphWithParams } from "./export.js";
import { kaimingUniform } from "./init.js";
import { checkLabels, type LossName, type MseOptions } from "./loss.js";
import { simulatePredictions, type EvalOptions } from "./evaluate.js";
import { compileTrainer, type NetOptions, type TrainNet } from "./network.js";
import { checkLearningRate, makeOptimizer, type Optimizer, type OptimizerOptions } from "./optim.js";
import { checkLrSchedule, scheduledLr, type LrSchedule } from "./schedule.js";
import type { TrainData } from "./data.js";

/** Options of {@link train}. */
export interface TrainOptions extends Omit<NetOptions, "dt">, OptimizerOptions, MseOptions {
  epochs: number;
  /** Batch size (default 32). */
  batch?: number;
  /** Seed of the initialisation and the shuffling (default 0). */
  seed?: number;
  /** "keep" (default): start from the file's weights; "kaiming": PyTorch-default init from `seed`. */
  init?: "keep" | "kaiming";
  loss?: LossName;
  spikeReg?: number;
  /** Learning rate per epoch (default "constant"; "cosine" anneals it towards 0 over the target epochs). */
  lrSchedule?: LrSchedule;
  /** Seconds per step (default: the data's). */
  dt?: number;
  /** Called after every batch and after every epoch. */
  onProgress?: (p: TrainProgress) => void;
  /**
   * Worker threads for data-parallel training (default 1: this thread). More than one needs
   * {@link trainAsync}; results are bit-identical for a fixed seed and worker count.
   */
  workers?: number;
}

/** Progress report. */
export interface TrainProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Mean loss so far in this epoch. */
  loss: number;
  /** Set after the epoch's evaluation. */
  record?: EpochRecord;
}

/** One epoch of history (snake_case: it is written to H.json as is). */
export interface EpochRecord {
  epoch: number;
  loss: number;
  train_acc: number;
  test_acc: number;
  seconds: number;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** The trained graph (a copy; the input graph is unchanged). */
  graph: NIRGraph;
  history: {
    epochs: EpochRecord[];
    test_acc: number;
    seconds_per_epoch: number;
    /** Test predictions of the last evaluation (by the simulator). */
    test_predictions: Int32Array;
  };
  /** Set when training stopped early (NaN/Inf loss): the graph then holds the last good weights. */
  stopped?: NirError;
}

/** True when every entry of `a` is finite. */
function finite(a: Buf): boolean {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * 0;
  return s === 0;
}

/** The median of `xs` (0 for none). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : 0;
}

/** Everything a run needs, checked and compiled once: the net, its optimiser and the data, and the run's history. */
export interface Session {
  graph: NIRGraph;
  data: TrainData;
  options: TrainOptions;
  net: TrainNet;
  opt: Optimizer;
  batch: number;
  dt: number;
  seed: number;
  evalOpts: EvalOptions;
  /** Epochs to train to; a resumable session raises it between runs. */
  epochs: number;
  /** History of the finished epochs. */
  records: EpochRecord[];
  /** Test predictions of the last evaluation. */
  testPred: Int32Array;
}

/** Validates the options and the data against the graph, compiles it, initialises and makes the optimiser. */
export function prepare(graph: NIRGraph, data: TrainData, options: TrainOptions): Session {
  const batch = options.batch ?? 32;
  const epochs = options.epochs;
  if (!(Number.isInteger(epochs) && epochs >= 0)) throw new NirError("train.options", `epochs must be a non-negative integer, got ${epochs}`, { field: "epochs" });
  if (!(Number.isInteger(batch) && batch > 0)) throw new NirError("train.options", `batch must be a positive integer, got ${batch}`, { field: "batch" });
  const workers = options.workers ?? 1;
  if (!(Number.isInteger(workers) && workers >= 1)) throw new NirError("train.options", `workers must be a positive integer, got ${workers}`, { field: "workers", hint: "e.g. workers: 2" });
  checkLearningRate(options.lr ?? 1e-3);
  checkLrSchedule(options.lrSchedule ?? "constant");
  const dt = options.dt ?? data.dt;
  const net = compileTrainer(graph, { ...options, dt });
  const C = sizeOf(net.outputShape);
  if (sizeOf(net.inputShape) !== sizeOf(data.train.shape)) {
    throw new NirError("sim.input_shape", `the graph's Input takes [${net.inputShape.join(",")}] but ${data.name} samples are [${data.train.shape.join(",")}]`, { hint: "build the graph for this dataset's input shape" });
  }
  checkLabels(data.train.labels, data.train.size, C);
  checkLabels(data.test.labels, data.test.size, C);
  const seed = options.seed ?? 0;
  if (options.init === "kaiming") kaimingUniform(net.params, seed);
  return {
    graph, data, options, net, opt: makeOptimizer(net.params, options), batch, dt, seed,
    evalOpts: { dt, profile: options.profile, reset: options.reset, loss: options.loss },
    epochs, records: [], testPred: new Int32Array(0),
  };
}

/**
 * What the loop asks its driver for: one batch's gradients (left in the net's params), the test
 * predictions, or — when `s.epochs` are done — what to do next: a driver that answers `end` goes
 * on only if it raised `s.epochs` (a resumable session), and otherwise returns `result`.
 */
export type LoopRequest =
  | { kind: "batch"; epoch: number; batch: number; batches: number; idx: Float64Array; labels: Int32Array }
  | { kind: "eval"; epoch: number; graph: NIRGraph }
  | { kind: "end"; result: TrainResult };
/** The driver's answer: a batch's mean loss and predictions, the test predictions, or nothing (to `end`). */
export type LoopAnswer = { loss: number; predictions: Int32Array } | Int32Array | undefined;

/** The run's result as it stands: the current weights and the history so far. */
export function resultOf(s: Session, stopped?: NirError): TrainResult {
  const records = s.records;
  const history = { epochs: [...records], test_acc: records.length ? records[records.length - 1].test_acc : NaN, seconds_per_epoch: median(records.map((e) => e.seconds)), test_predictions: s.testPred };
  return stopped ? { graph: graphWithParams(s.graph, s.net.params), history, stopped } : { graph: graphWithParams(s.graph, s.net.params), history };
}

/** Why training must stop after this batch ("" to go on): a non-finite loss or gradient. */
function badBatch(net: TrainNet, loss: number): string {
  return !Number.isFinite(loss) ? `the loss became ${loss}` : net.params.find((p) => !finite(p.grad)) ? "a gradient became NaN or infinite" : "";
}

/** Accuracy of predictions against labels (NaN for an empty set). */
function accuracy(pred: Int32Array, labels: Int32Array): number {
  let correct = 0;
  pred.forEach((p, k) => { if (p === labels[k]) correct++; });
  return pred.length ? correct / pred.length : NaN;
}

/**
 * The training loop as a generator: it yields a request for each batch's gradients and for each
 * epoch's evaluation, and its driver (one thread, worker threads, or a resumable session) answers.
 * Shuffling, the NaN check, the optimiser step and the history are here, so every driver trains
 * the same way. It returns only after a NaN/Inf stop; at the target it yields `end`.
 */
export function* trainLoop(s: Session): Generator<LoopRequest, TrainResult, LoopAnswer> {
  const { data, net } = s;
  const shuffle = seededRng(s.seed ^ 0x5bd1e995);
  const good = net.params.map((p) => Float64Array.from(p.data));
  const order = Float64Array.from({ length: data.train.size }, (_, k) => k);
  for (let epoch = 1; ; epoch++) {
    while (epoch > s.epochs) yield { kind: "end", result: resultOf(s) };
    const start = performance.now();
    s.opt.setLearningRate(scheduledLr(s.options.lr ?? 1e-3, s.options.lrSchedule ?? "constant", epoch, s.epochs));
    shuffleInPlace(order, shuffle);
    const r = yield* epochBatches(s, epoch, order, good);
    if (r.stopped) return resultOf(s, r.stopped);
    s.testPred = (yield { kind: "eval", epoch, graph: graphWithParams(s.graph, net.params) }) as Int32Array;
    const record: EpochRecord = {
      epoch, loss: r.lossSum / data.train.size, train_acc: r.correct / data.train.size,
      test_acc: accuracy(s.testPred, data.test.labels), seconds: (performance.now() - start) / 1000,
    };
    s.records.push(record);
    s.options.onProgress?.({ epoch, epochs: s.epochs, batch: r.batches, batches: r.batches, loss: record.loss, record });
  }
}

/** One epoch's batches in `order`: the optimiser steps, with the NaN check against the last good weights. */
function* epochBatches(s: Session, epoch: number, order: Float64Array, good: Float64Array[]): Generator<LoopRequest, { lossSum: number; correct: number; batches: number; stopped?: NirError }, LoopAnswer> {
  const { data, net, opt, batch } = s;
  const labels = new Int32Array(batch);
  const batches = Math.ceil(data.train.size / batch);
  let lossSum = 0, correct = 0;
  for (let b = 0; b < batches; b++) {
    const idx = order.subarray(b * batch, Math.min(data.train.size, (b + 1) * batch));
    const B = idx.length;
    for (let k = 0; k < B; k++) labels[k] = data.train.labels[idx[k]];
    const r = (yield { kind: "batch", epoch, batch: b + 1, batches, idx, labels: labels.subarray(0, B) }) as { loss: number; predictions: Int32Array };
    const bad = badBatch(net, r.loss);
    if (bad) {
      net.params.forEach((p, j) => p.data.set(good[j]));
      return { lossSum, correct, batches, stopped: new NirError("train.nan", `${bad} at epoch ${epoch}, batch ${b + 1} of ${batches}; training stopped with the last good weights`, { hint: "check the input for NaN, lower the learning rate (--lr) or the surrogate slope" }) };
    }
    net.params.forEach((p, j) => good[j].set(p.data));
    opt.step();
    lossSum += r.loss * B;
    for (let k = 0; k < B; k++) if (r.predictions[k] === labels[k]) correct++;
    s.options.onProgress?.({ epoch, epochs: s.epochs, batch: b + 1, batches, loss: lossSum / Math.min(data.train.size, (b + 1) * batch) });
  }
  return { lossSum, correct, batches };
}

/** Answers the loop's batch and eval requests in this thread. */
export function localDriver(s: Session): (req: LoopRequest) => LoopAnswer {
  const { net, data, batch } = s;
  const T = data.train.steps, n = sizeOf(data.train.shape);
  const input: Buf = net.alloc(T * batch * n);
  return (req) => {
    if (req.kind === "end") return undefined;
    if (req.kind === "eval") return simulatePredictions(req.graph, data.test, s.evalOpts);
    const B = req.idx.length;
    const x = B === batch ? input : input.subarray(0, T * B * n);
    data.train.fill(req.idx, x);
    net.zeroGrad();
    return batchStep(net, x, req.labels, T, B, s.options);
  };
}

/**
 * Trains `graph` on `data` in this thread; see the file comment. Deterministic for a given seed.
 * With `workers` > 1 use {@link trainAsync} (worker threads answer asynchronously).
 */
export function train(graph: NIRGraph, data: TrainData, options: TrainOptions): TrainResult {
  const s = prepare(graph, data, options);
  if ((options.workers ?? 1) > 1) throw new NirError("train.options", `workers: ${options.workers} needs worker threads, which answer asynchronously`, { field: "workers", hint: "call await nir.trainAsync(graph, data, options), or leave workers at 1" });
  const answer = localDriver(s);
  const loop = trainLoop(s);
  for (let step = loop.next(undefined); ; step = loop.next(answer(step.value))) {
    if (step.done) return step.value;
    if (step.value.kind === "end") return step.value.result;
  }
}

/**
 * {@link train} with `workers` threads: each batch is split into contiguous shards whose gradients
 * the workers compute and this thread averages in worker order, and the evaluation is split the
 * same way. The same seed and worker count give the same weights bit for bit; another worker
 * count gives the same training up to float rounding. With workers ≤ 1 it trains in this thread.
 */
export async function trainAsync(graph: NIRGraph, data: TrainData, options: TrainOptions): Promise<TrainResult> {
  const workers = options.workers ?? 1;
  if (workers <= 1) return train(graph, data, options);
  const s = prepare(graph, data, options);
  const { startParallel } = await import("./parallel.js");
  const engine = await startParallel(s.graph, s.net, s.data, { ...s.options, dt: s.dt }, s.batch, workers);
  try {
    const loop = trainLoop(s);
    for (let step = loop.next(undefined); ;) {
      if (step.done) return step.value;
      const req = step.value;
      if (req.kind === "end") return req.result;
      step = loop.next(req.kind === "eval" ? await engine.evaluate(req.graph, s.evalOpts) : await engine.step(req.idx, req.labels));
    }
  } finally {
    await engine.close();
  }
}
