/**
 * Membrane/current traces of one or many runs, like the paper's LIF comparison figure: an input
 * spike panel on top, the traces (overlaid or one row per run, optionally each divided by its own
 * maximum), and a spike panel with one row per run below. Colours follow the platform.
 */
import { isTensor, toFloat64, type Tensor } from "../ir/tensor.js";
import { platformColor, platformLabel } from "./colors.js";
import { mergeSpec, roundForChart, timeAxis, titleBlock, VEGA_LITE_SCHEMA, vizError, type ChartOptions, type VegaLiteSpec } from "./spec.js";

/** One run: its trace and, optionally, its output spikes (0/1 per step). */
export interface TraceRun {
  /** Legend label (default: the platform's display name, else "run k"). */
  label?: string;
  /** Platform profile name, for the colour (and the default label). */
  platform?: string;
  /** The trace, one value per step. */
  values: ArrayLike<number> | Tensor;
  /** Output spikes of the run, one value per step (non-zero = spike). */
  spikes?: ArrayLike<number> | Tensor;
}

/** How each trace is scaled before plotting. */
export type TraceNormalization = "none" | "max" | "maxabs";

/** Options of {@link traces}. */
export interface TracesOptions extends ChartOptions {
  /** Step size in seconds (time axis in ms); omitted → "time step". */
  dt?: number;
  /** "max": divide each trace by its own maximum (the paper's LIF figure); default "none". */
  normalize?: TraceNormalization;
  /** One chart with every run, or one row per run (default: overlay up to 3 runs, rows beyond). */
  overlay?: boolean;
  /** Input spikes (one value per step, or (T, M)) drawn as a panel above the traces. */
  input?: ArrayLike<number> | Tensor;
  /** Y axis title (default "membrane voltage", with the normalisation). */
  yTitle?: string;
  /** Draws a horizontal rule at this value (e.g. the threshold). */
  threshold?: number;
  /** Above this many points per run, traces keep min/max per bucket (default 5000). */
  maxPoints?: number;
}

function asArray(x: ArrayLike<number> | Tensor): ArrayLike<number> {
  return isTensor(x) ? toFloat64(x) : x;
}

/** Splits a (T, N) tensor into N runs named "neuron i". */
function runsOf(x: TraceRun | TraceRun[] | Tensor): TraceRun[] {
  if (Array.isArray(x)) return x;
  if (isTensor(x)) {
    const t = x.shape[0] ?? 1;
    const n = x.data.length / Math.max(t, 1);
    const a = toFloat64(x);
    const out: TraceRun[] = [];
    for (let j = 0; j < n; j++) {
      const v = new Float64Array(t);
      for (let i = 0; i < t; i++) v[i] = a[i * n + j];
      out.push({ label: n === 1 ? "trace" : `neuron ${j}`, values: v });
    }
    return out;
  }
  return [x];
}

/** Indices kept when a trace of `n` points is reduced to min and max per bucket (in time order). */
export function decimateMinMax(v: ArrayLike<number>, maxPoints: number): number[] {
  const n = v.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = n / buckets;
  const keep: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor(b * size);
    const hi = Math.min(n, Math.floor((b + 1) * size));
    let iMin = lo, iMax = lo;
    for (let i = lo; i < hi; i++) {
      if (v[i] < v[iMin]) iMin = i;
      if (v[i] > v[iMax]) iMax = i;
    }
    if (iMin === iMax) keep.push(iMin);
    else keep.push(Math.min(iMin, iMax), Math.max(iMin, iMax));
  }
  return keep;
}

/** The factor a trace is divided by under `mode` (1 when the trace is all zeros). */
export function normalizer(v: ArrayLike<number>, mode: TraceNormalization): number {
  if (mode === "none") return 1;
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, mode === "max" ? v[i] : Math.abs(v[i]));
  return m > 0 ? m : 1;
}

/**
 * Traces of one or many runs. Marks: `traces` (one line per run), `spikes` (one tick per output
 * spike, one row per run), `input` (one tick per input spike).
 */
export function traces(runsIn: TraceRun | TraceRun[] | Tensor, opts: TracesOptions = {}): VegaLiteSpec {
  const runs = runsOf(runsIn);
  if (runs.length === 0) throw vizError("no runs to plot", "runs", "pass at least one {values} run");
  const labels = runs.map((r, i) => r.label ?? (r.platform ? platformLabel(r.platform) : `run ${i + 1}`));
  if (new Set(labels).size !== labels.length) throw vizError(`duplicate run labels: ${labels.join(", ")}`, "label", "give each run its own label");
  const colors = runs.map((r, i) => platformColor(r.platform ?? labels[i], i));
  const arrays = runs.map((r) => asArray(r.values));
  const steps = Math.max(...arrays.map((a) => a.length));
  const axis = timeAxis(opts.dt, steps);
  const s = axis.scale;
  const mode = opts.normalize ?? "none";
  const maxPoints = opts.maxPoints ?? 5000;
  const width = opts.width ?? 640;
  const height = opts.height ?? 260;
  const subtitle: string[] = opts.subtitle ? [opts.subtitle] : [];
  if (mode === "max") subtitle.push("each trace divided by its own maximum");
  if (mode === "maxabs") subtitle.push("each trace divided by its own maximum absolute value");

  const traceRows: Record<string, unknown>[] = [];
  let decimated = false;
  arrays.forEach((a, r) => {
    const norm = normalizer(a, mode);
    const keep = decimateMinMax(a, maxPoints);
    if (keep.length < a.length) decimated = true;
    for (const i of keep) traceRows.push({ run: labels[r], t: roundForChart(i * s), v: roundForChart(a[i] / norm) });
  });
  if (decimated) subtitle.push(`traces longer than ${maxPoints} points show min/max per bucket`);

  const xScale = { domain: [0, steps * s], nice: false };
  const overlay = opts.overlay ?? runs.length <= 3;
  const color = { field: "run", type: "nominal", title: null, scale: { domain: labels, range: colors }, legend: overlay ? { orient: "right" } : null };
  const yTitle = opts.yTitle ?? (mode === "none" ? "membrane voltage" : "membrane voltage / own max");
  const traceLayer: Record<string, unknown>[] = [
    {
      name: "traces",
      mark: { type: "line", strokeWidth: 1.2, interpolate: "step-after", clip: true },
      encoding: {
        x: { field: "t", type: "quantitative", title: axis.title, scale: xScale },
        y: overlay
          ? { field: "v", type: "quantitative", title: yTitle }
          : { field: "v", type: "quantitative", title: null, axis: { tickCount: 2 } },
        color,
        ...(overlay ? { opacity: { value: 0.85 } } : {}),
      },
    },
  ];
  if (opts.threshold !== undefined) {
    traceLayer.push({
      name: "threshold",
      data: { values: [{ v: opts.threshold }] },
      mark: { type: "rule", strokeDash: [4, 3], color: "#666" },
      encoding: { y: { field: "v", type: "quantitative" } },
    });
  }
  const panels: Record<string, unknown>[] = [];

  if (opts.input !== undefined) {
    const inp = asArray(opts.input);
    const channels = isTensor(opts.input) && opts.input.shape.length > 1 ? opts.input.data.length / opts.input.shape[0] : 1;
    const inRows: { t: number; ch: number }[] = [];
    for (let i = 0; i < inp.length; i++) if (inp[i] !== 0) inRows.push({ t: roundForChart(Math.floor(i / channels) * s), ch: i % channels });
    panels.push({
      name: "input",
      width,
      height: Math.max(24, Math.min(120, channels * 12)),
      data: { values: inRows },
      mark: { type: "tick", color: "#444", thickness: 1.5 },
      encoding: {
        x: { field: "t", type: "quantitative", scale: xScale, axis: { title: null, labels: false } },
        y: { field: "ch", type: "ordinal", axis: channels > 1 ? { title: "input" } : { title: "input", labels: false, ticks: false } },
      },
    });
  }

  if (!overlay) {
    subtitle.push(mode === "none" ? `one row per run; y: ${yTitle}` : "one row per run");
    panels.push({
      data: { values: traceRows },
      facet: { row: { field: "run", type: "nominal", title: null, sort: labels, header: { labels: false } } },
      spacing: 6,
      spec: {
        width,
        height: Math.max(45, Math.round(height / runs.length)),
        layer: [
          ...traceLayer,
          {
            name: "run_labels",
            transform: [{ aggregate: [{ op: "count", as: "points" }], groupby: ["run"] }],
            mark: { type: "text", align: "left", baseline: "top", dx: 4, dy: 2, fontWeight: "bold", fontSize: 11 },
            encoding: { x: { value: 0 }, y: { value: 0 }, text: { field: "run" }, color },
          },
        ],
      },
      resolve: { scale: { y: "independent" } },
    });
  } else {
    panels.push({ width, height, data: { values: traceRows }, layer: traceLayer });
  }

  const spikeRows: { run: string; t: number }[] = [];
  runs.forEach((r, k) => {
    if (!r.spikes) return;
    const sp = asArray(r.spikes);
    for (let i = 0; i < sp.length; i++) if (sp[i] !== 0) spikeRows.push({ run: labels[k], t: roundForChart(i * s) });
  });
  if (runs.some((r) => r.spikes)) {
    panels.push({
      name: "spikes",
      width,
      height: Math.max(40, runs.length * 16),
      data: { values: spikeRows },
      mark: { type: "tick", thickness: 2 },
      encoding: {
        x: { field: "t", type: "quantitative", title: axis.title, scale: xScale },
        y: { field: "run", type: "nominal", title: "output spikes", sort: labels },
        color,
      },
    });
  }

  const title = titleBlock(opts.title ?? (runs.length > 1 ? `Traces of ${runs.length} runs` : "Trace"), subtitle);
  const body: Record<string, unknown> = panels.length === 1 ? panels[0] : { vconcat: panels, spacing: 8, resolve: { scale: { x: "shared", color: "shared" } } };
  const spec: VegaLiteSpec = { $schema: VEGA_LITE_SCHEMA, title, ...body };
  return mergeSpec(spec, opts.overrides);
}
