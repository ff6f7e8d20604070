/**
 * N-MNIST as a labelled dataset. Two layouts are understood, found under the dataset folder
 * (`resolveDataset("nmnist")` by default):
 * - SLAYER's NMNISTsmall: `slayer_NMNISTsmall/test100.txt` / `train1K.txt` (`#sample #class`
 *   lists) with recordings `test/<sample>.bs2`, `train/<sample>.bs2` (or all in one folder);
 *   rows whose file is absent are skipped (only 100 of train1K's 1000 are present);
 *   `labels.csv` (file,split,…,label) is used when the lists are missing;
 * - the official layout: `Test/<digit>/<name>.bin`, `Train/<digit>/<name>.bin`.
 * Samples come in list order (SLAYER) or digit folder then file name order (official, as tonic).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { NirError } from "../ir/errors.js";
import type { Tensor } from "../ir/tensor.js";
import type { EventStream, SensorSize } from "./events.js";
import { padFrames, toFrame, type ToFrameOptions } from "./frames.js";
import { NMNIST_SENSOR_SIZE, readNmnist, type ReadNmnistOptions } from "./nmnist.js";
import { resolveDataset } from "./resolve.js";

/** One labelled recording. */
export interface NmnistSample {
  events: EventStream;
  label: number;
  path: string;
}

/** A split of N-MNIST, read into memory. */
export interface NmnistDataset {
  samples: NmnistSample[];
  split: "test" | "train";
  /** The folder the files were read from. */
  root: string;
  /** "slayer-list", "labels-csv" or "folders". */
  layout: string;
  sensorSize: SensorSize;
  /** Samples per label ("0".."9"). */
  classCounts: Record<string, number>;
}

/** Options of {@link loadNmnist} and {@link listNmnist}. */
export interface LoadNmnistOptions {
  split?: "test" | "train";
  /** Dataset folder (default `resolveDataset("nmnist")`). */
  root?: string;
  /** Read at most this many samples (the first ones). */
  limit?: number;
  /** Passed to {@link readNmnist} for every file. */
  read?: ReadNmnistOptions;
}

/** A recording's path and label, before reading. */
export interface NmnistEntry {
  path: string;
  label: number;
}

function parseList(file: string): { id: string; label: number }[] {
  const rows: { id: string; label: number }[] = [];
  for (const [n, raw] of readFileSync(file, "utf8").split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [id, label] = line.split(/\s+/);
    const l = Number(label);
    if (!id || !Number.isInteger(l) || l < 0 || l > 9) throw new NirError("data.corrupt", `line ${n + 1}: expected "<sample> <class 0-9>", got "${line}"`, { file });
    rows.push({ id, label: l });
  }
  return rows;
}

function slayerEntries(dir: string, split: "test" | "train"): NmnistEntry[] | null {
  const list = join(dir, split === "test" ? "test100.txt" : "train1K.txt");
  if (existsSync(list)) {
    const out: NmnistEntry[] = [];
    for (const { id, label } of parseList(list)) {
      const candidates = [join(dir, split, `${id}.bs2`), join(dir, `${id}.bs2`), join(dir, split, `${id}.bin`)];
      const path = candidates.find((c) => existsSync(c));
      if (path) out.push({ path, label });
    }
    return out;
  }
  const csv = join(dir, "labels.csv");
  if (existsSync(csv)) {
    const lines = readFileSync(csv, "utf8").split(/\r?\n/).filter((l) => l.trim());
    const head = lines[0].split(",");
    const fi = head.indexOf("file"), si = head.indexOf("split"), li = head.indexOf("label");
    if (fi < 0 || si < 0 || li < 0) throw new NirError("data.corrupt", "labels.csv needs columns file, split, label", { file: csv });
    return lines.slice(1).map((l) => l.split(",")).filter((c) => c[si] === split && existsSync(join(dir, c[fi]))).map((c) => ({ path: join(dir, c[fi]), label: Number(c[li]) }));
  }
  return null;
}

function folderEntries(dir: string, split: "test" | "train"): NmnistEntry[] | null {
  const base = [split === "test" ? "Test" : "Train", split].map((s) => join(dir, s)).find((p) => existsSync(join(p, "0")));
  if (!base) return null;
  const out: NmnistEntry[] = [];
  for (let d = 0; d <= 9; d++) {
    const folder = join(base, String(d));
    if (!existsSync(folder)) continue;
    for (const f of readdirSync(folder).sort()) {
      const p = join(folder, f);
      if (statSync(p).isFile()) out.push({ path: p, label: d });
    }
  }
  return out;
}

/**
 * Lists the recordings of a split (path + label) without reading them. See the file comment for
 * the layouts understood.
 */
export function listNmnist(opts: LoadNmnistOptions = {}): { entries: NmnistEntry[]; root: string; layout: string } {
  const split = opts.split ?? "test";
  if (split !== "test" && split !== "train") throw new NirError("data.invalid", `unknown N-MNIST split "${String(split)}"`, { field: "split", hint: "use test or train" });
  const root = opts.root ?? resolveDataset("nmnist");
  for (const dir of [join(root, "slayer_NMNISTsmall"), root]) {
    const folders = folderEntries(dir, split);
    if (folders && folders.length) return { entries: folders, root: dir, layout: "folders" };
    const slayer = slayerEntries(dir, split);
    if (slayer && slayer.length) return { entries: slayer, root: dir, layout: existsSync(join(dir, split === "test" ? "test100.txt" : "train1K.txt")) ? "slayer-list" : "labels-csv" };
  }
  throw new NirError("data.not_found", `no N-MNIST ${split} recordings found under ${root}`, {
    file: root,
    hint: "expected slayer_NMNISTsmall/test100.txt + test/*.bs2, or Test/<digit>/*.bin; run `nir data fetch nmnist`",
  });
}

/** Reads a split of N-MNIST with labels (`{split: "test"}` by default). */
export function loadNmnist(opts: LoadNmnistOptions = {}): NmnistDataset {
  const split = opts.split ?? "test";
  const { entries, root, layout } = listNmnist(opts);
  const chosen = opts.limit !== undefined ? entries.slice(0, opts.limit) : entries;
  const classCounts: Record<string, number> = {};
  for (let d = 0; d <= 9; d++) classCounts[String(d)] = 0;
  const samples = chosen.map((e) => {
    classCounts[String(e.label)]++;
    return { events: readNmnist(e.path, opts.read), label: e.label, path: e.path };
  });
  return { samples, split, root, layout, sensorSize: [...NMNIST_SENSOR_SIZE] as SensorSize, classCounts };
}

/**
 * Bins every sample with {@link toFrame} and stacks them time-major into `(T, B, P, H, W)`,
 * zero-padding each sample to the longest (tonic `PadTensors`), or to exactly `length` steps.
 */
export function batchFrames(samples: { events: EventStream; label: number }[], frame: ToFrameOptions, opts: { length?: number } = {}): { input: Tensor; labels: Int32Array; lengths: Int32Array } {
  const frames = samples.map((s) => toFrame(s.events, frame));
  return {
    input: padFrames(frames, { length: opts.length }),
    labels: Int32Array.from(samples, (s) => s.label),
    lengths: Int32Array.from(frames, (f) => f.shape[0]),
  };
}

/** The sample id of an N-MNIST path (file name without extension), e.g. "60004". */
export function nmnistSampleId(path: string): string {
  return basename(path).replace(/\.[^.]*$/, "");
}
