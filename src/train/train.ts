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
import { compile } from "../sim/index.js";
import type { Buf } from "./kernels/types.js";
import { batchStep } from "./gradients.js";
import { graphWithParams } from "./export.js";
import { kaimingUniform } from "./init.js";
import { argmaxRows, checkLabels, type LossName, type MseOptions } from "./loss.js";
import { compileTrainer, type NetOptions } from "./network.js";
import { checkLearningRate, makeOptimizer, type OptimizerOptions } from "./optim.js";
import type { SampleSet, TrainData } from "./data.js";

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
  /** Seconds per step (default: the data's). */
  dt?: number;
  /** Called after every batch and after every epoch. */
  onProgress?: (p: TrainProgress) => void;
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

/** Predicts the test split with the simulator on `graph` (counts, or the maximum for ce-max-v). */
export function simulatePredictions(graph: NIRGraph, set: SampleSet, opts: { dt: number; profile?: NetOptions["profile"]; reset?: NetOptions["reset"]; loss?: LossName; chunk?: number }): Int32Array {
  const plan = compile(graph, { dt: opts.dt, profile: opts.profile ?? "norse", reset: opts.reset });
  const chunk = opts.chunk ?? 32;
  const n = sizeOf(set.shape);
  const out = new Int32Array(set.size);
  const maxV = opts.loss === "ce-max-v";
  for (let s = 0; s < set.size; s += chunk) {
    const idx = Array.from({ length: Math.min(chunk, set.size - s) }, (_, k) => s + k);
    const B = idx.length;
    const data = new Float64Array(set.steps * B * n);
    set.fill(idx, data);
    const y = plan.run({ dtype: "float64", shape: [set.steps, B, ...set.shape], data }).output.data as Float64Array;
    const C = y.length / (set.steps * B);
    const values = new Float64Array(B * C).fill(maxV ? -Infinity : 0);
    for (let t = 0; t < set.steps; t++) {
      for (let j = 0; j < B * C; j++) values[j] = maxV ? Math.max(values[j], y[t * B * C + j]) : values[j] + y[t * B * C + j];
    }
    out.set(argmaxRows(values, B, C), s);
  }
  return out;
}

/** True when every entry of `a` is finite. */
export function finite(a: Buf): boolean {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * 0;
  return s === 0;
}

/** The median of `xs` (0 for none). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : 0;
}

/** Trains `graph` on `data`; see the file comment. Deterministic for a given seed. */
export function train(graph: NIRGraph, data: TrainData, options: TrainOptions): TrainResult {
  const batch = options.batch ?? 32;
  const epochs = options.epochs;
  if (!(Number.isInteger(epochs) && epochs >= 0)) throw new NirError("train.options", `epochs must be a non-negative integer, got ${epochs}`, { field: "epochs" });
  if (!(Number.isInteger(batch) && batch > 0)) throw new NirError("train.options", `batch must be a positive integer, got ${batch}`, { field: "batch" });
  checkLearningRate(options.lr ?? 1e-3);
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
  const opt = makeOptimizer(net.params, options);
  const shuffle = seededRng(seed ^ 0x5bd1e995);
  const T = data.train.steps;
  const input: Buf = net.alloc(T * batch * sizeOf(data.train.shape));
  const good = net.params.map((p) => Float64Array.from(p.data));
  const order = Float64Array.from({ length: data.train.size }, (_, k) => k);
  const batches = Math.ceil(data.train.size / batch);
  const records: EpochRecord[] = [];
  let testPred = new Int32Array(0);
  const evalOpts = { dt, profile: options.profile, reset: options.reset, loss: options.loss };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const start = performance.now();
    shuffleInPlace(order, shuffle);
    let lossSum = 0, correct = 0;
    for (let b = 0; b < batches; b++) {
      const idx = order.subarray(b * batch, Math.min(data.train.size, (b + 1) * batch));
      const B = idx.length;
      const x = B === batch ? input : input.subarray(0, T * B * sizeOf(data.train.shape));
      data.train.fill(idx, x);
      const labels = Int32Array.from(idx, (i) => data.train.labels[i]);
      net.zeroGrad();
      const r = batchStep(net, x, labels, T, B, options);
      const bad = !Number.isFinite(r.loss) ? `the loss became ${r.loss}` : net.params.find((p) => !finite(p.grad)) ? "a gradient became NaN or infinite" : "";
      if (bad) {
        net.params.forEach((p, j) => p.data.set(good[j]));
        const stopped = new NirError("train.nan", `${bad} at epoch ${epoch}, batch ${b + 1} of ${batches}; training stopped with the last good weights`, { hint: "check the input for NaN, lower the learning rate (--lr) or the surrogate slope" });
        return { graph: graphWithParams(graph, net.params), history: { epochs: records, test_acc: records.length ? records[records.length - 1].test_acc : NaN, seconds_per_epoch: median(records.map((e) => e.seconds)), test_predictions: testPred }, stopped };
      }
      net.params.forEach((p, j) => good[j].set(p.data));
      opt.step();
      lossSum += r.loss * B;
      for (let k = 0; k < B; k++) if (r.predictions[k] === labels[k]) correct++;
      options.onProgress?.({ epoch, epochs, batch: b + 1, batches, loss: lossSum / Math.min(data.train.size, (b + 1) * batch) });
    }
    const trained = graphWithParams(graph, net.params);
    testPred = simulatePredictions(trained, data.test, evalOpts);
    let testCorrect = 0;
    testPred.forEach((p, k) => { if (p === data.test.labels[k]) testCorrect++; });
    const record: EpochRecord = {
      epoch, loss: lossSum / data.train.size, train_acc: correct / data.train.size,
      test_acc: data.test.size ? testCorrect / data.test.size : NaN, seconds: (performance.now() - start) / 1000,
    };
    records.push(record);
    options.onProgress?.({ epoch, epochs, batch: batches, batches, loss: record.loss, record });
  }
  return {
    graph: graphWithParams(graph, net.params),
    history: { epochs: records, test_acc: records.length ? records[records.length - 1].test_acc : NaN, seconds_per_epoch: median(records.map((e) => e.seconds)), test_predictions: testPred },
  };
}
