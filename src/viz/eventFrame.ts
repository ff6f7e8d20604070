/**
 * Event-camera frames (e.g. an N-MNIST digit): one square per active pixel, red for ON events,
 * blue for OFF, purple where both occurred, opacity by event count; several frames over time are
 * drawn as a small-multiples grid.
 */
import { toFrame } from "../data/frames.js";
import type { EventStream } from "../data/events.js";
import { isTensor, toFloat64, type Tensor } from "../ir/tensor.js";
import { mergeSpec, titleBlock, VEGA_LITE_SCHEMA, vizError, type ChartOptions, type VegaLiteSpec } from "./spec.js";

/** Colours of the polarities. */
export const POLARITY_COLORS = Object.freeze({ ON: "#d62728", OFF: "#1f77b4", both: "#8e44ad" });

/** Options of {@link eventFrame}. */
export interface EventFrameOptions extends ChartOptions {
  /** Number of equal time bins for an event stream (default 1: the whole recording). */
  frames?: number;
  /** Panels per row of the grid (default: up to 6). */
  columns?: number;
  /** Pixel size of one sensor pixel (default 4). */
  pixel?: number;
  /** Labels of the frames (default: time ranges for streams, "frame k" for tensors). */
  frameLabels?: string[];
  /** For batched frames (T, B, P, H, W): which batch item to draw (default 0). */
  sample?: number;
}

/** Batch item `b` of batched frames (T, B, P, H, W) as (T, P, H, W). */
export function frameSample(frames: Tensor, b: number): Tensor {
  const [T, B, ...rest] = frames.shape;
  if (!(Number.isInteger(b) && b >= 0 && b < B)) throw vizError(`sample ${b} is outside 0..${B - 1}`, "sample", `the frames hold ${B} samples`);
  const per = rest.reduce((x, y) => x * y, 1);
  const a = toFloat64(frames);
  const out = new Float64Array(T * per);
  for (let t = 0; t < T; t++) out.set(a.subarray((t * B + b) * per, (t * B + b + 1) * per), t * per);
  return { dtype: "float64", shape: [T, ...rest], data: out };
}

/** One drawn cell: frame, pixel, ON and OFF counts. */
export interface FrameCell {
  frame: number;
  x: number;
  y: number;
  on: number;
  off: number;
}

/** Active pixels of frames (T, P, H, W) (also (P, H, W), (H, W)); P = 2 means [OFF, ON]. */
export function activeCells(frames: Tensor): { cells: FrameCell[]; T: number; P: number; H: number; W: number } {
  const s = frames.shape;
  const [T, P, H, W] = s.length === 4 ? s : s.length === 3 ? [1, ...s] : s.length === 2 ? [1, 1, ...s] : [];
  if (T === undefined) throw vizError(`frames must be (T, P, H, W), (P, H, W) or (H, W), got shape [${s.join(", ")}]`, "frames", "bin events with toFrame(events, {nTimeBins})");
  if (P > 2) throw vizError(`frames have ${P} polarity channels; expected 1 or 2`, "frames", "pass (T, P, H, W) with P = 2 (OFF, ON)");
  const a = toFloat64(frames);
  const cells: FrameCell[] = [];
  const hw = H * W;
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < hw; i++) {
      const base = t * P * hw + i;
      const off = P === 2 ? a[base] : 0;
      const on = P === 2 ? a[base + hw] : a[base];
      if (on !== 0 || off !== 0) cells.push({ frame: t, x: i % W, y: Math.floor(i / W), on, off });
    }
  }
  return { cells, T, P, H, W };
}

const isEvents = (x: unknown): x is EventStream =>
  typeof x === "object" && x !== null && "t" in x && "x" in x && "sensorSize" in x && !isTensor(x);

/**
 * Event frame(s) of an event stream or of frames (T, P, H, W). Marks: `pixels` (one square per
 * active pixel per frame).
 */
export function eventFrame(input: EventStream | Tensor, opts: EventFrameOptions = {}): VegaLiteSpec {
  let frames: Tensor;
  let labels = opts.frameLabels;
  let what: string;
  if (isEvents(input)) {
    const bins = opts.frames ?? 1;
    frames = toFrame(input, { nTimeBins: bins });
    const t0 = input.t[0];
    const w = Math.floor((input.t[input.t.length - 1] - t0) / bins);
    labels ??= Array.from({ length: bins }, (_, k) => `${((k * w) / 1000).toFixed(0)}–${(((k + 1) * w) / 1000).toFixed(0)} ms`);
    what = `${input.t.length.toLocaleString("en-US")} events, ${((input.t[input.t.length - 1] - t0) / 1000).toFixed(0)} ms`;
  } else if (isTensor(input)) {
    frames = input.shape.length === 5 ? frameSample(input, opts.sample ?? 0) : input;
    what = `frames [${input.shape.join(" ")}]${input.shape.length === 5 ? `, sample ${opts.sample ?? 0}` : ""}`;
  } else {
    throw vizError("eventFrame needs an EventStream or a frames tensor", "input", "read a recording with readNmnist(path)");
  }
  const { cells, T, P, H, W } = activeCells(frames);
  labels ??= Array.from({ length: T }, (_, k) => `frame ${k}`);
  const px = opts.pixel ?? 4;
  let maxCount = 1;
  for (const c of cells) maxCount = Math.max(maxCount, c.on + c.off);
  const rows = cells.map((c) => ({
    frame: labels![c.frame] ?? `frame ${c.frame}`,
    x: c.x,
    y: c.y,
    x1: c.x + 1,
    y1: c.y + 1,
    on: c.on,
    off: c.off,
    count: c.on + c.off,
    polarity: c.on > 0 && c.off > 0 ? "both" : c.on > 0 ? "ON" : "OFF",
  }));
  const unit = {
    name: "pixels",
    width: opts.width ?? W * px,
    height: opts.height ?? H * px,
    mark: { type: "rect", tooltip: { content: "data" } },
    encoding: {
      x: { field: "x", type: "quantitative", title: "x [pixel]", scale: { domain: [0, W], nice: false } },
      x2: { field: "x1" },
      y: { field: "y", type: "quantitative", title: "y [pixel]", scale: { domain: [0, H], nice: false, reverse: true } },
      y2: { field: "y1" },
      color: {
        field: "polarity",
        type: "nominal",
        title: "polarity",
        scale: P === 2 ? { domain: ["ON", "OFF", "both"], range: [POLARITY_COLORS.ON, POLARITY_COLORS.OFF, POLARITY_COLORS.both] } : { domain: ["ON"], range: ["#333"] },
        legend: P === 2 ? { orient: "right" } : null,
      },
      opacity: { field: "count", type: "quantitative", title: "events", scale: { type: "sqrt", domain: [0, maxCount], range: [0.25, 1] }, legend: null },
    },
  };
  const subtitle = [opts.subtitle ?? "", `${what}; ${P === 2 ? "red ON, blue OFF, purple both" : "one polarity"}; opacity = events per pixel`];
  const title = titleBlock(opts.title ?? (T > 1 ? `Event frames (${T} time bins)` : "Event frame"), subtitle);
  const spec: VegaLiteSpec =
    T > 1
      ? {
          $schema: VEGA_LITE_SCHEMA,
          title,
          data: { values: rows },
          facet: { field: "frame", type: "ordinal", title: null, sort: labels, header: { labelFontSize: 11 } },
          columns: opts.columns ?? Math.min(T, 6),
          spacing: 8,
          spec: unit,
        }
      : { $schema: VEGA_LITE_SCHEMA, title, data: { values: rows }, ...unit };
  return mergeSpec(spec, opts.overrides);
}
