/**
 * Spike raster: one small rectangle per spike (time step × neuron). Above 50k spikes the raster
 * is binned into a 2-D histogram before embedding; when a neuron's row would be thinner than
 * `minRowPx` pixels (thousands of neurons in a short chart) neighbouring neurons share a row.
 * Either way the subtitle says so.
 */
import { sizeOf, toFloat64, type Tensor } from "../ir/tensor.js";
import { mergeSpec, timeAxis, titleBlock, VEGA_LITE_SCHEMA, vizError, type ChartOptions, type VegaLiteSpec } from "./spec.js";

/** Options of {@link spikeRaster}. */
export interface SpikeRasterOptions extends ChartOptions {
  /** Step size in seconds (the time axis then reads "time [ms]"); omitted → "time step". */
  dt?: number;
  /** Show only these neurons (flat indices after the time axis), in this order. */
  neurons?: number[];
  /** Input spikes (T, ...) drawn as a separate panel above the raster on the same time axis. */
  input?: Tensor;
  /** Neuron-major data (N, T) instead of time-major (T, N) (the paper's Lava arrays). */
  neuronMajor?: boolean;
  /** Above this many spikes the raster is binned (default 50 000). */
  maxSpikes?: number;
  /** Bins (time, neuron) used when binning (defaults: ≤ 150 × ≤ 64, so at most 9,600 cells). */
  bins?: [number, number];
  /** Thinnest row in pixels: more neurons than fit are binned into shared rows (default 1.5). */
  minRowPx?: number;
  /** Colour of the spikes (default dark blue). */
  color?: string;
  /** Axis title of the neurons (default "neuron"). */
  neuronTitle?: string;
}

/** Spikes of a (T, N) array as parallel step/neuron lists (value ≠ 0 is a spike). */
export interface SpikeList {
  steps: number;
  neurons: number;
  t: Int32Array;
  n: Int32Array;
}

/** Extracts the spikes of a time-major tensor (T, ...rest flattened) or neuron-major (N, T). */
export function spikeList(spikes: Tensor, neuronMajor = false): SpikeList {
  if (spikes.shape.length < 1) throw vizError(`spike array must have a time axis, got shape [${spikes.shape.join(", ")}]`, "spikes", "pass a (T, N) array of 0/1 values");
  const a = toFloat64(spikes);
  const [steps, neurons] = neuronMajor
    ? [sizeOf(spikes.shape.slice(1)), spikes.shape[0]]
    : [spikes.shape[0], sizeOf(spikes.shape.slice(1))];
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) count++;
  const t = new Int32Array(count);
  const n = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 0) continue;
    if (neuronMajor) { n[k] = Math.floor(i / steps); t[k] = i % steps; }
    else { t[k] = Math.floor(i / neurons); n[k] = i % neurons; }
    k++;
  }
  return { steps, neurons, t, n };
}

function selectNeurons(list: SpikeList, subset: number[] | undefined): { list: SpikeList; rows: number; labels?: number[] } {
  if (!subset) return { list, rows: list.neurons };
  const row = new Int32Array(list.neurons).fill(-1);
  subset.forEach((nIdx, r) => {
    if (!Number.isInteger(nIdx) || nIdx < 0 || nIdx >= list.neurons) {
      throw vizError(`neuron index ${nIdx} is outside 0..${list.neurons - 1}`, "neurons", `the array has ${list.neurons} neurons`);
    }
    row[nIdx] = r;
  });
  let count = 0;
  for (let i = 0; i < list.n.length; i++) if (row[list.n[i]] >= 0) count++;
  const t = new Int32Array(count);
  const n = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < list.n.length; i++) {
    const r = row[list.n[i]];
    if (r < 0) continue;
    t[k] = list.t[i];
    n[k++] = r;
  }
  const contiguous = subset.every((v, i) => v === subset[0] + i);
  return { list: { steps: list.steps, neurons: subset.length, t, n }, rows: subset.length, labels: contiguous && subset[0] === 0 ? undefined : subset };
}

/** A binned raster: one cell per non-empty (time bin, neuron bin) with its spike count. */
export interface BinnedRaster {
  timeBins: number;
  neuronBins: number;
  stepsPerBin: number;
  neuronsPerBin: number;
  /** Non-empty cells: time-bin index, neuron-bin index, count. */
  cells: { tb: number; nb: number; count: number }[];
}

/** Bins spikes into (time, neuron) cells of `stepsPerBin` × `neuronsPerBin`. */
export function binRaster(list: SpikeList, timeBins: number, neuronBins: number): BinnedRaster {
  const stepsPerBin = Math.max(1, Math.ceil(list.steps / timeBins));
  const neuronsPerBin = Math.max(1, Math.ceil(list.neurons / neuronBins));
  const tbN = Math.ceil(list.steps / stepsPerBin);
  const nbN = Math.ceil(list.neurons / neuronsPerBin);
  const counts = new Int32Array(tbN * nbN);
  for (let i = 0; i < list.t.length; i++) counts[Math.floor(list.t[i] / stepsPerBin) * nbN + Math.floor(list.n[i] / neuronsPerBin)]++;
  const cells: BinnedRaster["cells"] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i] > 0) cells.push({ tb: Math.floor(i / nbN), nb: i % nbN, count: counts[i] });
  return { timeBins: tbN, neuronBins: nbN, stepsPerBin, neuronsPerBin, cells };
}

const fmt = (n: number): string => n.toLocaleString("en-US");

/** One data row per spike with its rectangle: [t, t1) × [n, n + 1) (precomputed: faster than a Vega transform). */
function cellsOf(list: SpikeList, s: number): { t: number; t1: number; n: number; n1: number }[] {
  const rows = new Array(list.t.length);
  for (let i = 0; i < list.t.length; i++) {
    const t = list.t[i];
    rows[i] = { t: Math.round(t * s * 1e9) / 1e9, t1: Math.round((t + 1) * s * 1e9) / 1e9, n: list.n[i], n1: list.n[i] + 1 };
  }
  return rows;
}

/**
 * A spike raster of `spikes` (T, ...) — time on x, neuron on y — with an optional input panel.
 * Each spike is one rectangle mark (named `spikes`); above `maxSpikes` spikes the chart shows
 * spike counts per bin instead (marks named `spikes_binned`) and the subtitle says so.
 */
export function spikeRaster(spikes: Tensor, opts: SpikeRasterOptions = {}): VegaLiteSpec {
  const all = spikeList(spikes, opts.neuronMajor);
  const { list, rows, labels } = selectNeurons(all, opts.neurons);
  const axis = timeAxis(opts.dt, list.steps);
  const s = axis.scale;
  const width = opts.width ?? 600;
  const height = opts.height ?? Math.max(120, Math.min(400, rows * 6));
  const maxSpikes = opts.maxSpikes ?? 50_000;
  const color = opts.color ?? "#1f3b73";
  const neuronTitle = opts.neuronTitle ?? (opts.neurons ? `neuron (${rows} of ${all.neurons})` : "neuron");
  const subtitle: string[] = [];
  if (opts.subtitle) subtitle.push(opts.subtitle);
  // Neuron n fills [n, n + 1): a few rows get one tick at each row's centre, labelled n.
  const yAxis: Record<string, unknown> = rows <= 16
    ? { title: neuronTitle, values: Array.from({ length: rows }, (_, r) => r + 0.5), labelExpr: "floor(datum.value)" }
    : { title: neuronTitle, tickMinStep: 1 };
  if (labels && labels.length <= 400) yAxis.labelExpr = `${JSON.stringify(labels)}[floor(datum.value)]`;
  const rowsFit = Math.max(1, Math.floor(height / (opts.minRowPx ?? 1.5)));
  const xScale = { domain: [0, list.steps * s], nice: false, zero: true };
  const yScale = { domain: [0, rows], nice: false };

  let panel: Record<string, unknown>;
  const tooMany = list.t.length > maxSpikes;
  if (tooMany || rows > rowsFit) {
    const [tb, nb] = opts.bins ?? (tooMany ? [Math.min(list.steps, 150), Math.min(rows, 64, rowsFit)] : [list.steps, rowsFit]);
    const b = binRaster(list, tb, nb);
    const why = tooMany
      ? `${fmt(list.t.length)} spikes > ${fmt(maxSpikes)}`
      : `${fmt(rows)} neurons do not fit ${height} px (rows under ${opts.minRowPx ?? 1.5} px)`;
    subtitle.push(
      `${why}: binned into ${b.timeBins} × ${b.neuronBins} cells ` +
        `(${b.stepsPerBin} step${b.stepsPerBin > 1 ? "s" : ""} × ${b.neuronsPerBin} neurons each); colour = spikes per cell`,
    );
    panel = {
      name: "spikes_binned",
      width,
      height,
      data: {
        values: b.cells.map((c) => ({
          t0: c.tb * b.stepsPerBin * s,
          t1: Math.min((c.tb + 1) * b.stepsPerBin, list.steps) * s,
          n0: c.nb * b.neuronsPerBin,
          n1: Math.min((c.nb + 1) * b.neuronsPerBin, rows),
          count: c.count,
        })),
      },
      mark: { type: "rect" },
      encoding: {
        x: { field: "t0", type: "quantitative", title: axis.title, scale: xScale },
        x2: { field: "t1" },
        y: { field: "n0", type: "quantitative", axis: yAxis, scale: yScale },
        y2: { field: "n1" },
        color: { field: "count", type: "quantitative", title: "spikes per cell", scale: { scheme: "blues", type: "sqrt" } },
      },
    };
  } else {
    if (list.t.length === 0) subtitle.push("no spikes");
    panel = {
      name: "spikes",
      width,
      height,
      data: { values: cellsOf(list, s) },
      // A thin outline keeps 1-step rects visible on long runs; dropped for big rasters (render time).
      mark: list.t.length <= 2000 ? { type: "rect", color, stroke: color, strokeWidth: 0.4 } : { type: "rect", color },
      encoding: {
        x: { field: "t", type: "quantitative", title: axis.title, scale: xScale },
        x2: { field: "t1" },
        y: { field: "n", type: "quantitative", axis: yAxis, scale: yScale },
        y2: { field: "n1" },
      },
    };
  }
  const title = titleBlock(opts.title ?? `Spike raster: ${fmt(list.t.length)} spikes, ${rows} neurons, ${list.steps} steps`, subtitle);
  const big = list.t.length > 2000;
  let spec: VegaLiteSpec;
  if (opts.input) {
    const inp = spikeList(opts.input);
    if (inp.steps !== list.steps) {
      throw vizError(`input has ${inp.steps} steps but the spikes have ${list.steps}`, "input", "pass the input of the same run (same T)");
    }
    const inputPanel = {
      name: "input",
      width,
      height: Math.max(40, Math.min(160, inp.neurons * 6)),
      data: { values: cellsOf(inp, s) },
      mark: { type: "rect", color: "#888888", stroke: "#888888", strokeWidth: 0.4 },
      encoding: {
        x: { field: "t", type: "quantitative", title: null, scale: xScale, axis: { labels: false } },
        x2: { field: "t1" },
        y: { field: "n", type: "quantitative", axis: { title: "input", tickMinStep: 1 }, scale: { domain: [0, inp.neurons], nice: false } },
        y2: { field: "n1" },
      },
    };
    spec = { $schema: VEGA_LITE_SCHEMA, title, vconcat: [inputPanel, panel], spacing: 6, resolve: { scale: { x: "shared" } } };
  } else {
    spec = { $schema: VEGA_LITE_SCHEMA, title, ...panel };
  }
  if (big) spec.config = { aria: false };
  return mergeSpec(spec, opts.overrides);
}
