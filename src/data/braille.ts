/**
 * The tactile Braille letters dataset (Müller-Cleve et al. 2022): iCub fingertip recordings, 12
 * capacitive taxels, sigma-delta encoded into ON/OFF events. The file nirkit finds is the
 * **θ = 10** encoding (`data_braille_letters_th10`); the NIR paper used θ = 1, which is not
 * available offline. Every result of this module therefore carries `theta: 10` and a note.
 *
 * Paper preprocessing (NIR paper §3.2), applied by {@link loadBraille}:
 * - letters Space, A, E, I, O, U, Y → labels 0..6;
 * - ON and OFF events ORed per taxel → 12 binary channels (the `or` encoding; `on-minus-off`
 *   keeps their sign instead, see {@link BrailleEncoding});
 * - 5 ms bins from t = 0 (bin = floor(t_µs / 5000), with t rounded to whole µs first), padded
 *   with zeros or cut to 256 steps (events at t ≥ 1.28 s are dropped).
 * Split (nirkit's own, deterministic): per letter, the recordings' file order is shuffled with
 * `seededRng(seed)` (seed 0 by default); the first 10 % go to "test", the next 10 % to "val", the
 * rest to "train". Each split lists its samples in file order. With 200 recordings per letter
 * this gives 20 test recordings per class, the size of the paper's `ds_test` (but not its members).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NirError } from "../ir/errors.js";
import type { Tensor } from "../ir/tensor.js";
import { parsePickle, type PickleValue } from "./pickle.js";
import { resolveDataset } from "./resolve.js";
import { seededRng, shuffleInPlace } from "./random.js";

/** The paper's 7 Braille classes, label = index. */
export const BRAILLE_PAPER_LETTERS = ["Space", "A", "E", "I", "O", "U", "Y"] as const;

/** Number of taxels (input channels) of the iCub fingertip. */
export const BRAILLE_TAXELS = 12;

/** Encoding threshold of the shared file, and the one the paper used. */
export const BRAILLE_THETA = { file: 10, paper: 1 } as const;

/** The note every Braille output carries. */
export const BRAILLE_THETA_NOTE =
  "Braille recordings encoded with θ = 10 (data_braille_letters_th10); the NIR paper used θ = 1, so inputs, spike counts and accuracies differ from the paper's.";

/** One recording: `on[k]` / `off[k]` are the ON / OFF event times (seconds) of taxel k. */
export interface BrailleRecording {
  letter: string;
  on: Float64Array[];
  off: Float64Array[];
}

function asRecording(v: PickleValue, i: number, file: string): BrailleRecording {
  const bad = (what: string): never => {
    throw new NirError("data.corrupt", `Braille recording ${i}: ${what}`, { file, hint: "expected a list of {'letter': str, 'events': [12 taxels][ON, OFF][times]}" });
  };
  if (typeof v !== "object" || v === null || Array.isArray(v)) return bad("is not a dict");
  const letter = v.letter;
  const events = v.events;
  if (typeof letter !== "string") return bad("has no string 'letter'");
  if (!Array.isArray(events) || events.length !== BRAILLE_TAXELS) return bad(`'events' is not a list of ${BRAILLE_TAXELS} taxels`);
  const on: Float64Array[] = [];
  const off: Float64Array[] = [];
  for (const [k, taxel] of events.entries()) {
    if (!Array.isArray(taxel) || taxel.length !== 2) return bad(`taxel ${k} is not an [ON, OFF] pair`);
    const pair = taxel.map((times, j) => {
      if (!Array.isArray(times)) return bad(`taxel ${k} ${j ? "OFF" : "ON"} times are not a list`);
      const a = new Float64Array(times.length);
      for (let e = 0; e < times.length; e++) {
        const t = times[e];
        if (typeof t !== "number" || !Number.isFinite(t) || t < 0) return bad(`taxel ${k} has event time ${String(t)}`);
        a[e] = t;
      }
      return a;
    });
    on.push(pair[0]);
    off.push(pair[1]);
  }
  return { letter, on, off };
}

/**
 * Reads the Braille recordings: the original pickle (safe data-only reader) or the same list
 * re-serialised as JSON (`.json`).
 */
export function readBraille(path: string): BrailleRecording[] {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new NirError("data.not_found", `cannot read Braille file: ${(e as Error).message}`, { file: path, cause: e, hint: "locate it with resolveDataset(\"braille\") or run `nir data fetch braille`" });
  }
  let value: PickleValue;
  if (path.endsWith(".json")) {
    try {
      value = JSON.parse(buf.toString("utf8")) as PickleValue;
    } catch (e) {
      throw new NirError("data.corrupt", `not valid JSON: ${(e as Error).message}`, { file: path, cause: e });
    }
  } else {
    value = parsePickle(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
  }
  if (!Array.isArray(value)) throw new NirError("data.corrupt", "Braille file does not hold a list of recordings", { file: path });
  if (value.length === 0) throw new NirError("data.invalid", "Braille file holds no recordings", { file: path });
  return value.map((v, i) => asRecording(v, i, path));
}

/** The recordings file in the resolved `braille` dataset folder (pickle, else its JSON copy). */
export function defaultBraillePath(): string {
  const dir = resolveDataset("braille");
  const pickle = join(dir, "data_braille_letters_th10");
  return existsSync(pickle) ? pickle : join(dir, "data_braille_letters_th10.json");
}

/**
 * How a taxel's events in one bin become its input value:
 * - `or` (the paper's): 1 when the taxel had an ON or an OFF event in the bin, else 0;
 * - `on-minus-off`: the number of ON events minus the number of OFF events in the bin (an
 *   integer of either sign). ON and OFF are the sigma-delta encoder's up and down steps of the
 *   taxel's pressure, so this keeps the direction of the change that `or` discards.
 */
export type BrailleEncoding = "or" | "on-minus-off";

/** The encodings, in the order `--encoding` lists them. */
export const BRAILLE_ENCODINGS: readonly BrailleEncoding[] = ["or", "on-minus-off"];

/** Options of {@link brailleToSteps}. */
export interface BrailleBinning {
  /** Bin width in µs (default 5000 = 5 ms). */
  binUs?: number;
  /** Steps after padding/cutting (default 256). */
  steps?: number;
  /** Value of a taxel in a bin (default `or`, the paper's). */
  encoding?: BrailleEncoding;
}

/** Checks an encoding name (NirError listing the names). */
export function checkBrailleEncoding(encoding: string): BrailleEncoding {
  if (!(BRAILLE_ENCODINGS as readonly string[]).includes(encoding)) {
    throw new NirError("data.invalid", `unknown Braille encoding "${encoding}"`, { field: "encoding", hint: `one of ${BRAILLE_ENCODINGS.join(", ")}` });
  }
  return encoding as BrailleEncoding;
}

/**
 * Bins one recording into a `(steps, 12)` float32 tensor: with `or` (default), channel k is 1 in
 * a step when taxel k had an ON or an OFF event in that bin; with `on-minus-off` it is that bin's
 * ON count minus its OFF count.
 */
export function brailleToSteps(rec: BrailleRecording, opts: BrailleBinning = {}): Tensor<"float32"> {
  const binUs = opts.binUs ?? 5000;
  const steps = opts.steps ?? 256;
  const signed = checkBrailleEncoding(opts.encoding ?? "or") === "on-minus-off";
  const data = new Float32Array(steps * BRAILLE_TAXELS);
  for (let k = 0; k < BRAILLE_TAXELS; k++) {
    for (const [times, sign] of [[rec.on[k], 1], [rec.off[k], -1]] as const) {
      for (let e = 0; e < times.length; e++) {
        const step = Math.floor(Math.round(times[e] * 1e6) / binUs);
        if (step >= steps) continue;
        if (signed) data[step * BRAILLE_TAXELS + k] += sign;
        else data[step * BRAILLE_TAXELS + k] = 1;
      }
    }
  }
  return { dtype: "float32", shape: [steps, BRAILLE_TAXELS], data };
}

/** Options of {@link loadBraille}. */
export interface LoadBrailleOptions extends BrailleBinning {
  /** Path of the recordings file (default: `data_braille_letters_th10` in `resolveDataset("braille")`). */
  path?: string;
  /** Which part: "train" (80 %), "val" (10 %), "test" (10 %) or "all" (default). */
  split?: "train" | "val" | "test" | "all";
  /** Seed of the per-letter shuffle behind the split (default 0). */
  seed?: number;
  /** Already-read recordings (from {@link readBraille}) to avoid reading the file again. */
  recordings?: BrailleRecording[];
}

/** One preprocessed sample. */
export interface BrailleSample {
  /** (steps, 12) input (0/1 with the default `or` encoding). */
  input: Tensor<"float32">;
  label: number;
  letter: string;
  /** Position of the recording in the file. */
  index: number;
}

/** The 7-class dataset as the paper preprocessed it (but from θ = 10 recordings). */
export interface BrailleDataset {
  samples: BrailleSample[];
  /** Class names, label = index. */
  classes: string[];
  /** Samples per class name. */
  classCounts: Record<string, number>;
  steps: number;
  channels: number;
  binUs: number;
  split: string;
  /** Encoding threshold of these recordings (10) and of the paper (1). */
  theta: number;
  paperTheta: number;
  note: string;
  path: string;
}

/**
 * Loads the paper's 7-class Braille dataset (Space, A, E, I, O, U, Y → 0..6) from the θ = 10
 * recordings, binned to (256, 12); see the file comment for binning and split.
 */
export function loadBraille(opts: LoadBrailleOptions = {}): BrailleDataset {
  const path = opts.path ?? (opts.recordings ? "<recordings>" : defaultBraillePath());
  const recordings = opts.recordings ?? readBraille(path);
  const split = opts.split ?? "all";
  if (!["train", "val", "test", "all"].includes(split)) {
    throw new NirError("data.invalid", `unknown Braille split "${split}"`, { field: "split", hint: "use train, val, test or all" });
  }
  const classes = [...BRAILLE_PAPER_LETTERS] as string[];
  const byClass: number[][] = classes.map(() => []);
  recordings.forEach((r, i) => {
    const label = classes.indexOf(r.letter);
    if (label >= 0) byClass[label].push(i);
  });
  const missing = classes.filter((_, c) => byClass[c].length === 0);
  if (missing.length) throw new NirError("data.invalid", `no recordings of letter(s) ${missing.join(", ")}`, { file: path, hint: "is this the Braille letters file?" });
  const chosen: number[] = [];
  for (let c = 0; c < classes.length; c++) {
    const order = Float64Array.from(byClass[c]);
    shuffleInPlace(order, seededRng((opts.seed ?? 0) * 7919 + c));
    const n = order.length;
    const nTest = Math.round(n * 0.1);
    const nVal = Math.round(n * 0.1);
    const parts = { test: order.subarray(0, nTest), val: order.subarray(nTest, nTest + nVal), train: order.subarray(nTest + nVal), all: order };
    for (const i of parts[split as keyof typeof parts]) chosen.push(i);
  }
  chosen.sort((a, b) => a - b);
  const classCounts: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
  const samples = chosen.map((i) => {
    const r = recordings[i];
    classCounts[r.letter]++;
    return { input: brailleToSteps(r, opts), label: classes.indexOf(r.letter), letter: r.letter, index: i };
  });
  return {
    samples, classes, classCounts,
    steps: opts.steps ?? 256, channels: BRAILLE_TAXELS, binUs: opts.binUs ?? 5000, split,
    theta: BRAILLE_THETA.file, paperTheta: BRAILLE_THETA.paper, note: BRAILLE_THETA_NOTE, path,
  };
}

/**
 * Stacks Braille samples into `(steps, B, 12)` (time-major, as the simulator takes it) and the
 * labels into an Int32Array; the result repeats the θ = 10 note.
 */
export function stackBraille(samples: BrailleSample[]): { input: Tensor<"float32">; labels: Int32Array; theta: number; paperTheta: number; note: string } {
  if (samples.length === 0) throw new NirError("data.invalid", "no Braille samples to stack");
  const [T, C] = samples[0].input.shape;
  const B = samples.length;
  const data = new Float32Array(T * B * C);
  samples.forEach((s, b) => {
    for (let t = 0; t < T; t++) data.set(s.input.data.subarray(t * C, (t + 1) * C), (t * B + b) * C);
  });
  return {
    input: { dtype: "float32", shape: [T, B, C], data },
    labels: Int32Array.from(samples, (s) => s.label),
    theta: BRAILLE_THETA.file, paperTheta: BRAILLE_THETA.paper, note: BRAILLE_THETA_NOTE,
  };
}
