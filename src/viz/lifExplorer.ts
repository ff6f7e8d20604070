/**
 * An interactive lesson on LIF dynamics: one LIF neuron driven by a regular spike train,
 * simulated in advance by nirkit over a grid of (τ, threshold, input rate, dt). The chart binds
 * Vega-Lite params to range sliders and filters the precomputed grid by them, so moving a slider
 * redraws the membrane trace and the spikes in the browser with no kernel round trip (where the
 * front end draws the live chart, see viz/live.ts). Rendered to SVG it shows the default setting.
 */
import { LIF, Input, Linear, Output } from "../ir/index.js";
import { NIRGraph } from "../ir/graph.js";
import { toFloat64, type Tensor } from "../ir/tensor.js";
import type { NIRGraph as Graph } from "../ir/types.js";
import { simulate } from "../sim/compile.js";
import type { ProfileName } from "../sim/profiles.js";
import { mergeSpec, roundForChart, titleBlock, VEGA_LITE_SCHEMA, vizError, type ChartOptions, type VegaLiteSpec } from "./spec.js";

/** One grid point: τ and dt in seconds, input rate in Hz. */
export interface LifPoint {
  tau: number;
  threshold: number;
  rate: number;
  dt: number;
}

/** A uniform grid per parameter: first value, last value, step (τ and dt in seconds, rate in Hz). */
export interface LifGridAxis {
  min: number;
  max: number;
  step: number;
}

/** The grid of the explorer. */
export interface LifGrid {
  tau: LifGridAxis;
  threshold: LifGridAxis;
  rate: LifGridAxis;
  dt: LifGridAxis;
}

/** What a simulation of one grid point returns: membrane voltage and spikes, one value per step. */
export interface LifTrace {
  v: ArrayLike<number>;
  spikes: ArrayLike<number>;
}

/** Simulates one grid point; `input` is the per-step input of the graph's Input node, shape (T, 1). */
export type LifSimulator = (point: LifPoint, input: Tensor, setup: LifSetup) => LifTrace;

/** Fixed settings shared by every grid point. */
export interface LifSetup {
  /** Simulated time in seconds (default 0.1). */
  duration: number;
  /** Voltage jump per input spike (default 0.3): the input weight is jump·τ and a spike is a 1/dt pulse. */
  jump: number;
  /** Simulator profile (default "norse": forward Euler, reset to zero). */
  profile: ProfileName;
}

/** Options of {@link lifExplorer}. */
export interface LifExplorerOptions extends ChartOptions, Partial<LifSetup> {
  /** The grid (defaults: τ 5–20 ms, threshold 0.4–1.0, rate 50–200 Hz, dt 0.25–1 ms; 4 values each). */
  grid?: Partial<LifGrid>;
  /** The setting shown first and in the SVG (default: the second value of each axis; 150 Hz on the default grid, so the neuron fires). */
  defaults?: Partial<LifPoint>;
  /** Replaces the simulator (for tests or other neuron models); default: nirkit's `simulate`. */
  simulate?: LifSimulator;
}

/** The default grid. */
export const LIF_EXPLORER_GRID: Readonly<LifGrid> = Object.freeze({
  tau: { min: 0.005, max: 0.02, step: 0.005 },
  threshold: { min: 0.4, max: 1.0, step: 0.2 },
  rate: { min: 50, max: 200, step: 50 },
  dt: { min: 0.00025, max: 0.001, step: 0.00025 },
});

/** The values of a grid axis (rounded to 12 significant digits so 0.1+0.2 style noise vanishes). */
export function gridValues(a: LifGridAxis): number[] {
  if (!(a.step > 0) || !(a.max >= a.min)) throw vizError(`bad grid axis ${JSON.stringify(a)}`, "grid", "use {min, max, step} with step > 0 and max ≥ min");
  const n = Math.floor((a.max - a.min) / a.step + 1e-9) + 1;
  return Array.from({ length: n }, (_, k) => Number((a.min + k * a.step).toPrecision(12)));
}

/** Steps of a run: round(duration / dt). */
export function lifSteps(duration: number, dt: number): number {
  return Math.round(duration / dt);
}

/**
 * The input of one grid point, shape (T, 1): a spike at times k/rate (k = 1, 2, …), each put at
 * step round(t/dt) as a pulse of height 1/dt (unit area, so the effect does not depend on dt).
 */
export function lifInput(rate: number, dt: number, duration: number): Tensor {
  const T = lifSteps(duration, dt);
  const data = new Float64Array(T);
  for (let k = 1; k / rate < duration; k++) {
    const step = Math.round(k / rate / dt);
    if (step < T) data[step] = 1 / dt;
  }
  return { dtype: "float64", shape: [T, 1], data };
}

/** The one-neuron graph of a grid point: Input → Linear(jump·τ) → LIF(τ, r 1, v_leak 0, θ) → Output. */
export function lifGraph(point: LifPoint, jump: number): Graph {
  return NIRGraph({
    nodes: {
      input: Input({ shape: [1] }),
      weight: Linear({ weight: [[jump * point.tau]] }),
      lif: LIF({ tau: [point.tau], r: [1], v_leak: [0], v_threshold: [point.threshold] }),
      output: Output({ shape: [1] }),
    },
    edges: [["input", "weight"], ["weight", "lif"], ["lif", "output"]],
  });
}

/** The default simulator: nirkit's `simulate` on {@link lifGraph}, recording the LIF voltage. */
export const simulateLifPoint: LifSimulator = (point, input, setup) => {
  const res = simulate(lifGraph(point, setup.jump), input, { dt: point.dt, profile: setup.profile, record: ["lif:v"] });
  return { v: toFloat64(res.records["lif.v"]), spikes: toFloat64(res.output) };
};

const ms = (s: number): number => Number((s * 1000).toPrecision(12));

/**
 * The LIF explorer chart. Data: one row per grid point (`tau`/`dt` in ms, `threshold`, `rate`,
 * `v` = voltage per step, `out` = output spike steps, `inp` = input spike steps). Params `tau`,
 * `threshold`, `rate`, `dt` are bound to range sliders. Marks: `trace` (line), `threshold_rule`,
 * `input_spikes`, `output_spikes`.
 */
export function lifExplorer(opts: LifExplorerOptions = {}): VegaLiteSpec {
  const grid: LifGrid = { ...LIF_EXPLORER_GRID, ...opts.grid };
  const setup: LifSetup = { duration: opts.duration ?? 0.1, jump: opts.jump ?? 0.3, profile: opts.profile ?? "norse" };
  const sim = opts.simulate ?? simulateLifPoint;
  const axes = { tau: gridValues(grid.tau), threshold: gridValues(grid.threshold), rate: gridValues(grid.rate), dt: gridValues(grid.dt) };
  const second = (a: number[]): number => a[Math.min(1, a.length - 1)];
  const def: LifPoint = {
    tau: opts.defaults?.tau ?? second(axes.tau),
    threshold: opts.defaults?.threshold ?? second(axes.threshold),
    rate: opts.defaults?.rate ?? (opts.grid?.rate ? second(axes.rate) : 150),
    dt: opts.defaults?.dt ?? second(axes.dt),
  };
  for (const k of ["tau", "threshold", "rate", "dt"] as const) {
    if (!axes[k].some((v) => Math.abs(v - def[k]) <= 1e-9 * Math.max(1, Math.abs(v)))) {
      throw vizError(`default ${k} ${def[k]} is not on the grid (${axes[k].join(", ")})`, `defaults.${k}`, "pick one of the grid values");
    }
  }
  const rows: Record<string, unknown>[] = [];
  let vMin = 0, vMax = Math.max(...axes.threshold);
  for (const dt of axes.dt) {
    for (const rate of axes.rate) {
      const input = lifInput(rate, dt, setup.duration);
      const inp: number[] = [];
      for (let i = 0; i < input.data.length; i++) if (input.data[i] !== 0) inp.push(i);
      for (const tau of axes.tau) {
        for (const threshold of axes.threshold) {
          const point = { tau, threshold, rate, dt };
          const r = sim(point, input, setup);
          const v = Array.from(r.v, roundForChart);
          const out: number[] = [];
          for (let i = 0; i < r.spikes.length; i++) if (r.spikes[i] !== 0) out.push(i);
          for (const x of v) { if (x < vMin) vMin = x; if (x > vMax) vMax = x; }
          rows.push({ tau: ms(tau), threshold, rate, dt: ms(dt), v, out, inp });
        }
      }
    }
  }
  const slider = (name: string, a: number[], value: number, label: string): Record<string, unknown> => ({
    name,
    value,
    bind: { input: "range", min: a[0], max: a[a.length - 1], step: a.length > 1 ? Number((a[1] - a[0]).toPrecision(12)) : 1, name: label },
  });
  const params = [
    slider("tau", axes.tau.map(ms), ms(def.tau), "τ [ms] "),
    slider("threshold", axes.threshold, def.threshold, "threshold "),
    slider("rate", axes.rate, def.rate, "input rate [Hz] "),
    slider("dt", axes.dt.map(ms), ms(def.dt), "dt [ms] "),
  ];
  const near = (f: string): string => `abs(datum.${f} - ${f}) < 1e-6`;
  const pick = { filter: ["tau", "threshold", "rate", "dt"].map(near).join(" && ") };
  const width = opts.width ?? 600;
  const xScale = { domain: [0, ms(setup.duration)], nice: false };
  const xTitle = "time [ms]";
  const spikes = (field: "inp" | "out", name: string, label: string, color: string): Record<string, unknown> => ({
    name,
    data: { name: "grid" },
    transform: [pick, { flatten: [field], as: ["step"] }, { filter: "isValid(datum.step)" }, { calculate: "datum.step * datum.dt", as: "t" }],
    width,
    height: 28,
    mark: { type: "tick", color, thickness: 2 },
    encoding: {
      x: { field: "t", type: "quantitative", scale: xScale, title: field === "out" ? xTitle : null, axis: field === "out" ? {} : { labels: false } },
      y: { datum: label, type: "nominal", title: null },
    },
  });
  const spec: VegaLiteSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(opts.title ?? "One LIF neuron: τ, threshold, input rate and dt", [
      opts.subtitle ?? "",
      `precomputed with nirkit (${setup.profile}) for ${rows.length} settings; each input spike adds ${setup.jump} to v`,
    ]),
    params,
    datasets: { grid: rows },
    vconcat: [
      spikes("inp", "input_spikes", "input", "#555"),
      {
        width,
        height: opts.height ?? 220,
        layer: [
          {
            name: "trace",
            data: { name: "grid" },
            transform: [pick, { flatten: ["v"] }, { window: [{ op: "row_number", as: "k" }] }, { calculate: "(datum.k - 1) * datum.dt", as: "t" }],
            mark: { type: "line", interpolate: "step-after", color: "#4c78a8", strokeWidth: 1.3 },
            encoding: {
              x: { field: "t", type: "quantitative", scale: xScale, title: xTitle },
              y: { field: "v", type: "quantitative", title: "membrane voltage v", scale: { domain: [roundForChart(vMin), roundForChart(vMax * 1.05)], nice: false } },
            },
          },
          {
            name: "threshold_rule",
            data: { name: "grid" },
            transform: [pick],
            mark: { type: "rule", color: "#d62728", strokeDash: [5, 3] },
            encoding: { y: { field: "threshold", type: "quantitative" } },
          },
        ],
      },
      spikes("out", "output_spikes", "output", "#d62728"),
    ],
    spacing: 6,
    resolve: { scale: { x: "shared" } },
  };
  return mergeSpec(spec, opts.overrides);
}
