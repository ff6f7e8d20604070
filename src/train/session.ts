/**
 * A training run that can stop and go on (`trainingSession`). The session holds the compiled net,
 * the optimiser state, the epoch's shuffled order and the position (epoch, batch), so
 * `await session.run({ signal })` stops at the end of the batch during which `signal` was aborted,
 * and a later `session.run()` goes on at the next batch with the same order and optimiser state:
 * a run stopped and continued ends with the weights of an uninterrupted one, bit for bit. With the
 * same graph, data, options and seed it gives the weights `train()` gives.
 *
 * Between batches it yields to the event loop once, so a notebook kernel can send displays and
 * hear an interrupt while training runs. After each epoch the test split is evaluated by the
 * simulator (as `train()` does) and the weights of the epoch with the best test accuracy are kept
 * (`bestGraph`).
 */
import { NirError } from "../ir/errors.js";
import { sizeOf } from "../ir/tensor.js";
import type { NIRGraph } from "../ir/types.js";
import { seededRng, shuffleInPlace, type Rng } from "../data/random.js";
import type { Buf } from "./kernels/types.js";
import type { Param } from "./ops/index.js";
import { batchStep } from "./gradients.js";
import { graphWithParams } from "./export.js";
import { kaimingUniform } from "./init.js";
import { checkLabels } from "./loss.js";
import { compileTrainer, type TrainNet } from "./network.js";
import { checkLearningRate, makeOptimizer, type Optimizer } from "./optim.js";
import { finite, median, simulatePredictions, type EpochRecord, type TrainOptions, type TrainProgress, type TrainResult } from "./train.js";
import type { TrainData } from "./data.js";

/** Options of {@link TrainingSession.run}. */
export interface SessionRunOptions {
  /** Epochs to add to the session's target before running (default 0: run on to the target). */
  more?: number;
  /** Aborting it stops the run at the end of the current batch. */
  signal?: AbortSignal;
  /** Called after every batch and after every epoch (default: the session options' own). */
  onProgress?: (p: TrainProgress) => void;
}

/** Where a stopped run stopped: the last batch done (1-based) of the unfinished epoch. */
export interface StopPoint {
  epoch: number;
  batch: number;
  batches: number;
}

/** What {@link TrainingSession.run} returns: `train()`'s result, plus where it stopped if it was stopped. */
export interface SessionResult extends TrainResult {
  /** Set when the signal stopped the run before the target; `session.run()` continues from there. */
  interrupted?: StopPoint;
  /** The epoch whose weights `bestGraph` holds (null: no epoch finished yet). */
  bestEpoch: number | null;
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A resumable training run; create it with {@link trainingSession}. */
export class TrainingSession {
  /** The graph training started from (unchanged). */
  readonly initial: NIRGraph;
  readonly data: TrainData;
  readonly options: TrainOptions;
  /** Total epochs the session trains to; `run({ more })` raises it. */
  targetEpochs: number;
  /** History of the finished epochs. */
  readonly records: EpochRecord[] = [];
  private readonly net: TrainNet;
  private readonly opt: Optimizer;
  private readonly shuffle: Rng;
  private readonly order: Float64Array;
  private readonly input: Buf;
  private readonly good: Float64Array[];
  private best: { epoch: number; acc: number; params: Float64Array[] } | null = null;
  private testPred = new Int32Array(0);
  /** Next batch of the current epoch (0: the epoch has not started and is not shuffled yet). */
  private nextBatch = 0;
  private lossSum = 0;
  private correct = 0;
  private epochMs = 0;
  private running: Promise<unknown> | null = null;

  constructor(graph: NIRGraph, data: TrainData, options: TrainOptions) {
    const batch = options.batch ?? 32;
    if (!(Number.isInteger(options.epochs) && options.epochs >= 0)) throw new NirError("train.options", `epochs must be a non-negative integer, got ${options.epochs}`, { field: "epochs" });
    if (!(Number.isInteger(batch) && batch > 0)) throw new NirError("train.options", `batch must be a positive integer, got ${batch}`, { field: "batch" });
    checkLearningRate(options.lr ?? 1e-3);
    this.initial = graph;
    this.data = data;
    this.options = { ...options, batch, dt: options.dt ?? data.dt };
    this.targetEpochs = options.epochs;
    this.net = compileTrainer(graph, { ...options, dt: this.options.dt! });
    if (sizeOf(this.net.inputShape) !== sizeOf(data.train.shape)) {
      throw new NirError("sim.input_shape", `the graph's Input takes [${this.net.inputShape.join(",")}] but ${data.name} samples are [${data.train.shape.join(",")}]`, { hint: "build the graph for this dataset's input shape" });
    }
    const C = sizeOf(this.net.outputShape);
    checkLabels(data.train.labels, data.train.size, C);
    checkLabels(data.test.labels, data.test.size, C);
    const seed = options.seed ?? 0;
    if (options.init === "kaiming") kaimingUniform(this.net.params, seed);
    this.opt = makeOptimizer(this.net.params, options);
    this.shuffle = seededRng(seed ^ 0x5bd1e995); // the same stream as train()'s
    this.input = this.net.alloc(data.train.steps * batch * sizeOf(data.train.shape));
    this.good = this.net.params.map((p) => Float64Array.from(p.data));
    this.order = Float64Array.from({ length: data.train.size }, (_, k) => k);
  }

  /** Finished epochs. */
  get epoch(): number {
    return this.records.length;
  }

  /** Batches per epoch. */
  get batches(): number {
    return Math.ceil(this.data.train.size / this.options.batch!);
  }

  /** The graph with the current weights (a copy). */
  get graph(): NIRGraph {
    return graphWithParams(this.initial, this.net.params);
  }

  /** The graph with the weights of the epoch with the best test accuracy (the current ones before any epoch ends). */
  get bestGraph(): NIRGraph {
    if (!this.best) return this.graph;
    const best = this.best.params;
    return graphWithParams(this.initial, this.net.params.map((p, j): Param => ({ ...p, data: best[j] })));
  }

  /** The epoch `bestGraph` comes from and its test accuracy (null before the first epoch ends). */
  get bestEpoch(): { epoch: number; test_acc: number } | null {
    return this.best ? { epoch: this.best.epoch, test_acc: this.best.acc } : null;
  }

  /** Where the current epoch stands (null between epochs). */
  get position(): StopPoint | null {
    return this.nextBatch > 0 ? { epoch: this.epoch + 1, batch: this.nextBatch, batches: this.batches } : null;
  }

  /**
   * Trains until `targetEpochs` (+ `more`) epochs are done, or until `signal` aborts: then it stops
   * at the end of the batch running (before the epoch's test evaluation if that was the last one). A run started while another is still stopping waits for it first.
   */
  async run(opts: SessionRunOptions = {}): Promise<SessionResult> {
    const more = opts.more ?? 0;
    if (!(Number.isInteger(more) && more >= 0)) throw new NirError("train.options", `more must be a non-negative integer, got ${more}`, { field: "more" });
    while (this.running) await this.running.catch(() => undefined);
    this.targetEpochs += more;
    const job = this.loop(opts.signal, opts.onProgress ?? this.options.onProgress);
    this.running = job;
    try {
      return await job;
    } finally {
      if (this.running === job) this.running = null;
    }
  }

  private async loop(signal: AbortSignal | undefined, onProgress: ((p: TrainProgress) => void) | undefined): Promise<SessionResult> {
    const { data, net, options } = this;
    const batch = options.batch!, batches = this.batches, T = data.train.steps, n = sizeOf(data.train.shape);
    // the caller's synchronous part ends before the first batch (a kernel can hear an interrupt)
    await yieldToEventLoop();
    while (this.epoch < this.targetEpochs) {
      const epoch = this.epoch + 1;
      if (signal?.aborted) return this.result({ epoch, batch: this.nextBatch, batches });
      if (this.nextBatch === 0) {
        shuffleInPlace(this.order, this.shuffle);
        this.lossSum = 0;
        this.correct = 0;
        this.epochMs = 0;
      }
      while (this.nextBatch < batches) {
        const t0 = performance.now();
        const b = this.nextBatch;
        const idx = this.order.subarray(b * batch, Math.min(data.train.size, (b + 1) * batch));
        const B = idx.length;
        const x = B === batch ? this.input : this.input.subarray(0, T * B * n);
        data.train.fill(idx, x);
        const labels = Int32Array.from(idx, (i) => data.train.labels[i]);
        net.zeroGrad();
        const r = batchStep(net, x, labels, T, B, options);
        const bad = !Number.isFinite(r.loss) ? `the loss became ${r.loss}` : net.params.some((p) => !finite(p.grad)) ? "a gradient became NaN or infinite" : "";
        if (bad) {
          net.params.forEach((p, j) => p.data.set(this.good[j]));
          this.targetEpochs = this.epoch;
          this.nextBatch = 0;
          const stopped = new NirError("train.nan", `${bad} at epoch ${epoch}, batch ${b + 1} of ${batches}; training stopped with the last good weights`, { hint: "check the input for NaN, lower the learning rate or the surrogate slope" });
          return { ...this.result(), stopped };
        }
        net.params.forEach((p, j) => this.good[j].set(p.data));
        this.opt.step();
        this.lossSum += r.loss * B;
        for (let k = 0; k < B; k++) if (r.predictions[k] === labels[k]) this.correct++;
        this.nextBatch = b + 1;
        this.epochMs += performance.now() - t0;
        onProgress?.({ epoch, epochs: this.targetEpochs, batch: b + 1, batches, loss: this.lossSum / Math.min(data.train.size, (b + 1) * batch) });
        await yieldToEventLoop();
        if (signal?.aborted) return this.result({ epoch, batch: this.nextBatch, batches });
      }
      const record = this.evaluate(epoch);
      onProgress?.({ epoch, epochs: this.targetEpochs, batch: batches, batches, loss: record.loss, record });
      await yieldToEventLoop();
    }
    return this.result();
  }

  /** Ends the epoch: the simulator's test accuracy on the weights as written, and the best weights so far. */
  private evaluate(epoch: number): EpochRecord {
    const { data, options } = this;
    const t0 = performance.now();
    this.testPred = simulatePredictions(this.graph, data.test, { dt: options.dt!, profile: options.profile, reset: options.reset, loss: options.loss });
    let testCorrect = 0;
    this.testPred.forEach((p, k) => { if (p === data.test.labels[k]) testCorrect++; });
    const record: EpochRecord = {
      epoch, loss: this.lossSum / data.train.size, train_acc: this.correct / data.train.size,
      test_acc: data.test.size ? testCorrect / data.test.size : NaN, seconds: (this.epochMs + performance.now() - t0) / 1000,
    };
    this.records.push(record);
    this.nextBatch = 0;
    if (!this.best || record.test_acc > this.best.acc) this.best = { epoch, acc: record.test_acc, params: this.net.params.map((p) => Float64Array.from(p.data)) };
    return record;
  }

  private result(interrupted?: StopPoint): SessionResult {
    const last = this.records[this.records.length - 1];
    return {
      graph: this.graph,
      history: { epochs: [...this.records], test_acc: last ? last.test_acc : NaN, seconds_per_epoch: median(this.records.map((e) => e.seconds)), test_predictions: this.testPred },
      interrupted,
      bestEpoch: this.best ? this.best.epoch : null,
    };
  }
}

/** Creates a resumable training run of `graph` on `data` (see the file comment); nothing runs until `run()`. */
export function trainingSession(graph: NIRGraph, data: TrainData, options: TrainOptions): TrainingSession {
  return new TrainingSession(graph, data, options);
}
