/**
 * A training run that can stop and go on (`trainingSession`). The session drives the same training
 * loop as `train()` ({@link trainLoop}) one request at a time, so `await session.run({ signal })`
 * stops at the end of the batch during which `signal` was aborted, and a later `session.run()` goes
 * on at the next batch with the same order and optimiser state: a run stopped and continued ends
 * with the weights of an uninterrupted one, bit for bit, and with the same graph, data, options and
 * seed it gives the weights `train()` gives.
 *
 * Between batches it yields to the event loop once, so a notebook kernel can send displays and
 * hear an interrupt while training runs. After each epoch the test split is evaluated by the
 * simulator (as `train()` does) and the weights of the best epoch are kept (`bestGraph`): best by
 * the accuracy on held-out training samples when `validation` holds some out, else by test accuracy.
 */
import { NirError } from "../ir/errors.js";
import type { NIRGraph } from "../ir/types.js";
import { graphWithParams } from "./export.js";
import { simulatePredictions } from "./evaluate.js";
import { holdOut } from "./holdout.js";
import {
  localDriver, prepare, resultOf, trainLoop,
  type EpochRecord, type LoopAnswer, type LoopRequest, type Session, type TrainOptions, type TrainProgress, type TrainResult,
} from "./train.js";
import type { SampleSet, TrainData } from "./data.js";

/** Options of {@link trainingSession}: `train()`'s, plus a validation hold-out. */
export interface SessionOptions extends TrainOptions {
  /**
   * Hold the last `validation` training samples out of training and choose the best epoch by their
   * accuracy (default 0: the best epoch is chosen by test accuracy, which flatters that accuracy).
   */
  validation?: number;
}

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
  readonly options: SessionOptions;
  private readonly s: Session;
  private readonly loop: Generator<LoopRequest, TrainResult, LoopAnswer>;
  private readonly answer: (req: LoopRequest) => LoopAnswer;
  /** The loop's pending request (or its final result after a NaN/Inf stop). */
  private step: IteratorResult<LoopRequest, TrainResult>;
  private handler: ((p: TrainProgress) => void) | undefined;
  private best: { epoch: number; test: number; val?: number; graph: NIRGraph } | null = null;
  /** Held-out training samples that choose the best epoch (null: the test split chooses). */
  readonly validation: SampleSet | null;
  private readonly valAcc: number[] = [];
  private evaluated: NIRGraph | null = null;
  private at: StopPoint | null = null;
  private running: Promise<unknown> | null = null;

  constructor(graph: NIRGraph, all: TrainData, options: SessionOptions) {
    const split = options.validation ? holdOut(all, options.validation) : null;
    const data = split ? split.data : all;
    this.validation = split ? split.validation : null;
    this.initial = graph;
    this.data = data;
    this.options = { ...options, batch: options.batch ?? 32, dt: options.dt ?? data.dt };
    this.s = prepare(graph, data, { ...this.options, onProgress: (p) => this.progress(p) });
    this.loop = trainLoop(this.s);
    this.answer = localDriver(this.s);
    this.step = this.loop.next(undefined);
  }

  /** Total epochs the session trains to; `run({ more })` raises it, and it may be set between runs. */
  get targetEpochs(): number {
    return this.s.epochs;
  }

  set targetEpochs(n: number) {
    if (!(Number.isInteger(n) && n >= 0)) throw new NirError("train.options", `targetEpochs must be a non-negative integer, got ${n}`, { field: "targetEpochs" });
    this.s.epochs = n;
  }

  /** History of the finished epochs. */
  get records(): EpochRecord[] {
    return this.s.records;
  }

  /** Finished epochs. */
  get epoch(): number {
    return this.s.records.length;
  }

  /** Batches per epoch. */
  get batches(): number {
    return Math.ceil(this.data.train.size / this.s.batch);
  }

  /** The graph with the current weights (a copy). */
  get graph(): NIRGraph {
    return graphWithParams(this.initial, this.s.net.params);
  }

  /** The graph with the weights of the epoch with the best test accuracy (the current ones before any epoch ends). */
  get bestGraph(): NIRGraph {
    return this.best ? this.best.graph : this.graph;
  }

  /**
   * The epoch `bestGraph` comes from, its test accuracy, and its validation accuracy when the
   * session holds samples out (then the choice was made on them); null before the first epoch ends.
   */
  get bestEpoch(): { epoch: number; test_acc: number; val_acc?: number } | null {
    if (!this.best) return null;
    const { epoch, test, val } = this.best;
    return val === undefined ? { epoch, test_acc: test } : { epoch, test_acc: test, val_acc: val };
  }

  /** Validation accuracy per finished epoch (empty without a hold-out). */
  get validationAccuracy(): number[] {
    return [...this.valAcc];
  }

  /** Where the current epoch stands (null between epochs). */
  get position(): StopPoint | null {
    return this.at;
  }

  /**
   * Trains until `targetEpochs` (+ `more`) epochs are done, or until `signal` aborts: then it stops
   * at the end of the batch running (before the epoch's test evaluation if that was the last one).
   * A run started while another is still stopping waits for it first.
   */
  async run(opts: SessionRunOptions = {}): Promise<SessionResult> {
    const more = opts.more ?? 0;
    if (!(Number.isInteger(more) && more >= 0)) throw new NirError("train.options", `more must be a non-negative integer, got ${more}`, { field: "more" });
    while (this.running) await this.running.catch(() => undefined);
    this.s.epochs += more;
    const job = this.drive(opts.signal, opts.onProgress ?? this.options.onProgress);
    this.running = job;
    try {
      return await job;
    } finally {
      if (this.running === job) this.running = null;
    }
  }

  /** Answers the loop's requests until it reaches the target, stops on NaN, or the signal aborts. */
  private async drive(signal: AbortSignal | undefined, onProgress: ((p: TrainProgress) => void) | undefined): Promise<SessionResult> {
    this.handler = onProgress;
    // the caller's synchronous part ends before the first batch (a kernel can hear an interrupt)
    await yieldToEventLoop();
    for (;;) {
      if (this.step.done) return this.result(undefined, this.step.value.stopped);
      const req = this.step.value;
      if (req.kind === "end") {
        if (this.s.epochs <= this.epoch) return this.result();
        this.step = this.loop.next(undefined);
        continue;
      }
      if (signal?.aborted) return this.result(this.at ?? { epoch: this.epoch + 1, batch: 0, batches: this.batches });
      if (req.kind === "eval") this.evaluated = req.graph;
      this.step = this.loop.next(this.answer(req));
      await yieldToEventLoop();
    }
  }

  /** Follows the loop's progress: the stop point, the best epoch, and the caller's callback. */
  private progress(p: TrainProgress): void {
    if (p.record) {
      this.at = null;
      if (this.evaluated) this.keepIfBest(p.epoch, p.record.test_acc, this.evaluated);
    } else {
      this.at = { epoch: p.epoch, batch: p.batch, batches: p.batches };
    }
    this.handler?.(p);
  }

  /** Keeps `graph` as the best when its accuracy (validation if held out, else test) beats the best so far. */
  private keepIfBest(epoch: number, test: number, graph: NIRGraph): void {
    if (!this.validation) {
      if (!this.best || test > this.best.test) this.best = { epoch, test, graph };
      return;
    }
    const pred = simulatePredictions(graph, this.validation, this.s.evalOpts);
    let correct = 0;
    pred.forEach((q, k) => { if (q === this.validation!.labels[k]) correct++; });
    const val = correct / this.validation.size;
    this.valAcc.push(val);
    if (!this.best || val > this.best.val!) this.best = { epoch, test, val, graph };
  }

  private result(interrupted?: StopPoint, stopped?: NirError): SessionResult {
    const r = resultOf(this.s, stopped);
    return interrupted ? { ...r, interrupted, bestEpoch: this.best ? this.best.epoch : null } : { ...r, bestEpoch: this.best ? this.best.epoch : null };
  }
}

/** Creates a resumable training run of `graph` on `data` (see the file comment); nothing runs until `run()`. */
export function trainingSession(graph: NIRGraph, data: TrainData, options: SessionOptions): TrainingSession {
  return new TrainingSession(graph, data, options);
}
