/**
 * Dataset-level helpers behind `nir data list / info / frames`: where each dataset is, what it
 * holds (samples, classes, sensor size), and one sample as a model-ready tensor.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { NirError } from "../ir/errors.js";
import type { Tensor } from "../ir/tensor.js";
import { BRAILLE_THETA_NOTE, loadBraille, readBraille, defaultBraillePath, type BrailleRecording } from "./braille.js";
import { toFrame } from "./frames.js";
import { listNmnist } from "./nmnist-dataset.js";
import { NMNIST_SENSOR_SIZE, readNmnist } from "./nmnist.js";
import { datasetInfo, datasetLocations, datasetNames, resolveDataset } from "./resolve.js";

/** One row of `nir data list`. */
export interface DatasetStatus {
  name: string;
  title: string;
  /** Folder where it was found, or null. */
  path: string | null;
  /** "NIR_DATA", "cache", "shared", or null when absent. */
  source: string | null;
  /** How to get it when absent. */
  howToGet: string | null;
}

/** Where every manifest dataset is (or how to get it). */
export function listDatasets(): DatasetStatus[] {
  return datasetNames().map((name) => {
    const hit = datasetLocations(name).find((l) => l.found);
    return {
      name,
      title: datasetInfo(name).title,
      path: hit?.path ?? null,
      source: hit?.source ?? null,
      howToGet: hit ? null : `nir data fetch ${name}  (or put it in $NIR_DATA/${name})`,
    };
  });
}

/** What `nir data info NAME` prints. */
export interface DatasetSummary {
  name: string;
  path: string;
  split?: string;
  n_samples: number;
  classes: Record<string, number>;
  sensor_size: number[] | null;
  /** Shape of one preprocessed sample (Braille: [256, 12]). */
  input_shape?: number[];
  note?: string;
}

/** Options of {@link summarizeDataset} and {@link datasetSample}. */
export interface DatasetSampleOptions {
  /** N-MNIST: "test" (default) or "train"; Braille: "all" (default), "train", "val", "test". */
  split?: string;
  /** Dataset folder (default: resolved). */
  root?: string;
}

let brailleCache: { path: string; recordings: BrailleRecording[] } | null = null;
function brailleRecordings(root?: string): { path: string; recordings: BrailleRecording[] } {
  const path = root ? join(root, "data_braille_letters_th10") : defaultBraillePath();
  if (brailleCache?.path !== path) brailleCache = { path, recordings: readBraille(path) };
  return brailleCache;
}

/** Counts samples and classes of a dataset (`nir data info`). */
export function summarizeDataset(name: string, opts: DatasetSampleOptions = {}): DatasetSummary {
  const info = datasetInfo(name);
  const path = opts.root ?? resolveDataset(name);
  if (name === "nmnist") {
    const split = (opts.split ?? "test") as "test" | "train";
    const { entries } = listNmnist({ split, root: path });
    const classes: Record<string, number> = {};
    for (let d = 0; d <= 9; d++) classes[String(d)] = 0;
    for (const e of entries) classes[String(e.label)]++;
    return { name, path, split, n_samples: entries.length, classes, sensor_size: [...NMNIST_SENSOR_SIZE] };
  }
  if (name === "braille") {
    const { recordings } = brailleRecordings(opts.root ?? path);
    const ds = loadBraille({ recordings, split: (opts.split ?? "all") as "all" });
    return { name, path, split: ds.split, n_samples: ds.samples.length, classes: ds.classCounts, sensor_size: [ds.channels, 1, 2], input_shape: [ds.steps, ds.channels], note: BRAILLE_THETA_NOTE };
  }
  const files = readdirSync(path).filter((f) => info.files.some((m) => m.path === f));
  return { name, path, n_samples: files.length, classes: {}, sensor_size: null, note: `${info.format}` };
}

/** Binning of {@link datasetSample}: N-MNIST frames by window (µs) or bin count; Braille bin width (µs). */
export interface SampleBinning extends DatasetSampleOptions {
  windowUs?: number;
  bins?: number;
}

/**
 * Sample `index` of a dataset, binned: N-MNIST → `(T, 2, 34, 34)` counts (1 ms windows unless
 * `windowUs`/`bins`), Braille → `(256, 12)` 0/1 (5 ms bins unless `windowUs`).
 */
export function datasetSample(name: string, index: number, opts: SampleBinning = {}): { input: Tensor; label: number | null; source: string; note?: string } {
  const path = opts.root ?? resolveDataset(name);
  if (opts.windowUs !== undefined && opts.bins !== undefined) throw new NirError("cli.usage", "give --window-us or --bins, not both");
  if (name === "nmnist") {
    const { entries } = listNmnist({ split: (opts.split ?? "test") as "test", root: path });
    const e = entries[index];
    if (!Number.isInteger(index) || !e) throw new NirError("data.invalid", `sample index ${index} is out of range: the ${opts.split ?? "test"} split has ${entries.length} samples`, { field: "index" });
    const ev = readNmnist(e.path);
    const input = opts.bins !== undefined ? toFrame(ev, { nTimeBins: opts.bins }) : toFrame(ev, { timeWindow: opts.windowUs ?? 1000 });
    return { input, label: e.label, source: e.path };
  }
  if (name === "braille") {
    if (opts.bins !== undefined) throw new NirError("cli.usage", "Braille uses fixed-width bins: give --window-us (default 5000), not --bins");
    const { recordings, path: file } = brailleRecordings(opts.root);
    const ds = loadBraille({ recordings, split: (opts.split ?? "all") as "all", binUs: opts.windowUs });
    const s = ds.samples[index];
    if (!Number.isInteger(index) || !s) throw new NirError("data.invalid", `sample index ${index} is out of range: the ${ds.split} split has ${ds.samples.length} samples`, { field: "index" });
    return { input: s.input, label: s.label, source: `${file}#${s.index} (${s.letter})`, note: BRAILLE_THETA_NOTE };
  }
  throw new NirError("data.invalid", `nirkit cannot bin samples of "${name}" (${datasetInfo(name).format})`, { hint: "use nmnist or braille" });
}
