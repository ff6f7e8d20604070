/**
 * Training data as sample sets the trainer draws batches from: N-MNIST binned to any bin width
 * (event counts per bin and pixel, the simulator's event-input rule), Braille with its
 * deterministic train/val/test split, or plain tensors. A set writes a batch time-major into
 * (T, B, ...inputShape).
 */
import { NirError } from "../ir/errors.js";
import { sizeOf, toFloat64, type Tensor } from "../ir/tensor.js";
import { BRAILLE_THETA_NOTE, checkBrailleEncoding, defaultBraillePath, loadBraille, readBraille, type BrailleEncoding } from "../data/braille.js";
import { loadNmnist } from "../data/nmnist-dataset.js";
import { eventsToSpikeInput, type SpikeEventInput } from "../data/spike-input.js";
import type { Buf } from "./kernels/types.js";

/** Labelled samples of one split. */
export interface SampleSet {
  size: number;
  /** Time steps per sample. */
  steps: number;
  /** Per-sample input shape. */
  shape: number[];
  labels: Int32Array;
  /** Writes samples `idx` into `out` as (T, idx.length, ...shape), zeroing it first. */
  fill(idx: ArrayLike<number>, out: Buf): void;
  /**
   * Samples [start, start + B) as the simulator's event input, for sets made of events: the same
   * counts `fill` writes, so the simulator's event path gives what it gives on the dense tensor.
   */
  events?(start: number, B: number): SpikeEventInput;
}

/** A dataset for training: its splits, the time step its binning implies, and notes to print. */
export interface TrainData {
  name: string;
  train: SampleSet;
  test: SampleSet;
  /** Seconds per step. */
  dt: number;
  classes: number;
  /** Printed with the results (e.g. Braille's θ = 10). */
  note?: string;
}

/** Options of {@link nmnistData}. */
export interface NmnistDataOptions {
  /** Bin width in ms (default 1); dt = binMs·1e-3. */
  binMs?: number;
  /** Steps per sample (default: enough for the longest training recording). */
  steps?: number;
  root?: string;
  /** Use only the first n recordings of each split. */
  trainLimit?: number;
  testLimit?: number;
}

/**
 * One recording binned once: per step, the distinct pixel indices hit and their event counts
 * (compressed rows, steps in order), so a batch is written step by step without repeated increments.
 */
interface BinnedSample { stepStart: Int32Array; index: Int32Array; count: Float32Array }

function binSample(ev: { t: Int32Array; index: Int32Array }, steps: number, n: number, seen: Int32Array): BinnedSample {
  const perStep = new Int32Array(steps + 1);
  for (let e = 0; e < ev.t.length; e++) perStep[ev.t[e] + 1]++;
  for (let t = 0; t < steps; t++) perStep[t + 1] += perStep[t];
  const byStep = new Int32Array(ev.t.length), next = perStep.slice(0, steps);
  for (let e = 0; e < ev.t.length; e++) byStep[next[ev.t[e]]++] = ev.index[e];
  const index = new Int32Array(ev.t.length), count = new Float32Array(ev.t.length), stepStart = new Int32Array(steps + 1);
  let m = 0;
  for (let t = 0; t < steps; t++) {
    stepStart[t] = m;
    for (let e = perStep[t]; e < perStep[t + 1]; e++) {
      const p = byStep[e];
      // seen[p] holds 1 + the position of pixel p in this step's list (entries of earlier steps are < stepStart[t] + 1)
      if (seen[p] > stepStart[t]) count[seen[p] - 1]++;
      else {
        index[m] = p;
        count[m] = 1;
        seen[p] = ++m;
      }
    }
  }
  stepStart[steps] = m;
  seen.fill(0);
  return { stepStart, index: index.slice(0, m), count: count.slice(0, m) };
}

function eventSet(streams: ReturnType<typeof loadNmnist>["samples"], binUs: number, steps: number): SampleSet {
  const first = streams.length ? eventsToSpikeInput(streams[0].events, { dtUs: binUs, steps }) : null;
  const shape = first ? first.shape : [2, 34, 34];
  const n = sizeOf(shape);
  const seen = new Int32Array(n);
  const per = streams.map((s, k) => binSample(k === 0 && first ? first : eventsToSpikeInput(s.events, { dtUs: binUs, steps }), steps, n, seen));
  return {
    size: per.length, steps, shape, labels: Int32Array.from(streams, (s) => s.label),
    fill(idx, out) {
      const B = idx.length;
      out.fill(0, 0, steps * B * n);
      for (let t = 0; t < steps; t++) {
        for (let b = 0; b < B; b++) {
          const { stepStart, index, count } = per[idx[b]];
          const row = (t * B + b) * n;
          for (let e = stepStart[t]; e < stepStart[t + 1]; e++) out[row + index[e]] = count[e];
        }
      }
    },
    events(start, B) {
      let total = 0;
      for (let b = 0; b < B; b++) for (const c of per[start + b].count) total += c;
      const t = new Int32Array(total), index = new Int32Array(total), batch = new Int32Array(total);
      let k = 0;
      for (let b = 0; b < B; b++) {
        const s = per[start + b];
        for (let st = 0; st < steps; st++) {
          for (let e = s.stepStart[st]; e < s.stepStart[st + 1]; e++) {
            // one event per count, sorted by item, then step
            for (let c = 0; c < s.count[e]; c++, k++) {
              t[k] = st;
              index[k] = s.index[e];
              batch[k] = b;
            }
          }
        }
      }
      return { steps, t, index, batch, batchSize: B, shape };
    },
  };
}

/** N-MNIST (train and test splits of the resolved dataset) binned to `binMs`. */
export function nmnistData(opts: NmnistDataOptions = {}): TrainData {
  const binMs = opts.binMs ?? 1;
  if (!(binMs > 0)) throw new NirError("train.options", `bin width must be positive, got ${binMs} ms`, { field: "bin-ms" });
  const binUs = binMs * 1000;
  const train = loadNmnist({ split: "train", root: opts.root, limit: opts.trainLimit });
  const test = loadNmnist({ split: "test", root: opts.root, limit: opts.testLimit });
  let steps = opts.steps;
  if (steps === undefined) steps = Math.max(1, ...train.samples.map((s) => eventsToSpikeInput(s.events, { dtUs: binUs }).steps));
  if (!(Number.isInteger(steps) && steps > 0)) throw new NirError("train.options", `steps must be a positive integer, got ${steps}`, { field: "steps" });
  return { name: "nmnist", train: eventSet(train.samples, binUs, steps), test: eventSet(test.samples, binUs, steps), dt: binMs * 1e-3, classes: 10 };
}

/** Options of {@link brailleData}. */
export interface BrailleDataOptions {
  path?: string;
  /** Split seed (default 0, nirkit's split). */
  seed?: number;
  binUs?: number;
  steps?: number;
  /** Value of a taxel in a bin: `or` (default, the paper's 0/1) or `on-minus-off` (signed counts). */
  encoding?: BrailleEncoding;
  /** Seconds per step of the simulated network (default 1e-4, as the paper runs it). */
  dt?: number;
  /** Use only the first n samples of each split (in file order). */
  trainLimit?: number;
  testLimit?: number;
}

/** Tensors (T, N, ...shape) and labels as a sample set. */
export function tensorSet(input: Tensor, labels: ArrayLike<number>): SampleSet {
  const [T, N] = input.shape;
  const shape = input.shape.slice(2);
  const n = sizeOf(shape);
  if (labels.length !== N) throw new NirError("train.labels", `${labels.length} labels for ${N} samples`, { field: "labels", hint: "one label per sample (the input's second axis)" });
  const x = toFloat64(input);
  return {
    size: N, steps: T, shape, labels: Int32Array.from(labels),
    fill(idx, out) {
      const B = idx.length;
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const src = (t * N + idx[b]) * n, dst = (t * B + b) * n;
          for (let k = 0; k < n; k++) out[dst + k] = x[src + k];
        }
      }
    },
  };
}

/** Braille letters: train on nirkit's train split, test on its test split (θ = 10 recordings). */
export function brailleData(opts: BrailleDataOptions = {}): TrainData {
  if (opts.encoding !== undefined) checkBrailleEncoding(opts.encoding);
  const path = opts.path ?? defaultBraillePath();
  const recordings = readBraille(path);
  const split = (s: "train" | "test", limit: number | undefined) => {
    const d = loadBraille({ recordings, split: s, seed: opts.seed, binUs: opts.binUs, steps: opts.steps, encoding: opts.encoding });
    if (limit !== undefined) d.samples = d.samples.slice(0, limit);
    const [T, C] = [d.steps, d.channels];
    const data = new Float32Array(T * d.samples.length * C);
    d.samples.forEach((smp, b) => {
      for (let t = 0; t < T; t++) data.set(smp.input.data.subarray(t * C, (t + 1) * C), (t * d.samples.length + b) * C);
    });
    return tensorSet({ dtype: "float32", shape: [T, d.samples.length, C], data }, d.samples.map((x) => x.label));
  };
  return { name: "braille", train: split("train", opts.trainLimit), test: split("test", opts.testLimit), dt: opts.dt ?? 1e-4, classes: 7, note: BRAILLE_THETA_NOTE };
}
