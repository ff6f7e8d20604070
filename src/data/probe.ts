/**
 * The NIR paper's CNN probe input `cnn_numbers.npy` (missing from the paper snapshot), rebuilt:
 * for each digit 0..9 one N-MNIST test recording (named in
 * `paper/02_cnn/cnn_numbers_source_files.json`, derived by nirkit), binned with tonic's
 * `ToFrame(sensor_size=(34, 34, 2), time_window=1000)` (1 ms bins from the first event, event
 * counts), the first 300 frames, stacked time-major to (300, 10, 2, 34, 34).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NirError } from "../ir/errors.js";
import type { Tensor } from "../ir/tensor.js";
import type { EventStream } from "./events.js";
import { padFrames, toFrame } from "./frames.js";
import { readNmnist } from "./nmnist.js";
import { findPaperFile } from "./paper-files.js";
import { resolveDataset } from "./resolve.js";

/**
 * The recordings behind `cnn_numbers` (digit d = index d), as listed in
 * `paper/02_cnn/cnn_numbers_source_files.json`. Used when that file is not around.
 */
export const CNN_NUMBERS_SOURCE_FILES = ["60004.bs2", "60003.bs2", "60002.bs2", "60019.bs2", "60005.bs2", "60009.bs2", "60012.bs2", "60001.bs2", "60062.bs2", "60008.bs2"] as const;

/** Path of the paper's source-file list `02_cnn/cnn_numbers_source_files.json` (shipped with nirkit), if found. */
export function cnnNumbersSourceListPath(): string | null {
  return findPaperFile("02_cnn", "cnn_numbers_source_files.json");
}

/** The 10 file names (digit 0..9), from the shared JSON when present, else the built-in list. */
export function cnnNumbersSourceFiles(): string[] {
  const p = cnnNumbersSourceListPath();
  if (!p) return [...CNN_NUMBERS_SOURCE_FILES];
  const json = JSON.parse(readFileSync(p, "utf8")) as { digit_to_file?: unknown };
  const files = json.digit_to_file;
  if (!Array.isArray(files) || files.length !== 10 || !files.every((f) => typeof f === "string")) {
    throw new NirError("data.corrupt", "digit_to_file must list 10 file names", { file: p, field: "digit_to_file" });
  }
  return files as string[];
}

/** Options of {@link nmnistProbe}. */
export interface ProbeOptions {
  /** N-MNIST dataset folder (default `resolveDataset("nmnist")`). */
  root?: string;
  /** Frames kept per digit (default 300). */
  steps?: number;
  /** Frame width in µs (default 1000). */
  timeWindow?: number;
}

/**
 * The 10 probe recordings (digit 0..9) as raw event streams: what the paper fed to Speck, which
 * received the events of the whole recording rather than frames.
 */
export function nmnistProbeEvents(opts: { root?: string } = {}): EventStream[] {
  const root = opts.root ?? resolveDataset("nmnist");
  return cnnNumbersSourceFiles().map((name) => {
    const path = [join(root, "slayer_NMNISTsmall", "test", name), join(root, "test", name), join(root, name)].find((p) => existsSync(p));
    if (!path) {
      throw new NirError("data.not_found", `probe recording ${name} not found under ${root}`, { file: name, hint: "the probe needs SLAYER's NMNISTsmall test files; run `nir data fetch nmnist`" });
    }
    return readNmnist(path);
  });
}

/** Rebuilds the paper's probe input: float32 Tensor (300, 10, 2, 34, 34) of event counts. */
export function nmnistProbe(opts: ProbeOptions = {}): Tensor {
  const steps = opts.steps ?? 300;
  const frames = nmnistProbeEvents(opts).map((ev) => toFrame(ev, { timeWindow: opts.timeWindow ?? 1000, maxFrames: steps }));
  return padFrames(frames, { length: steps });
}
