/**
 * `nir.explore(graph, options)`: a live explorer of a graph. Its display bundle's HTML embeds
 * the browser bundle of nirkit's simulator (dist/browser/explorer.js, inline, so it works
 * offline and in nbconvert HTML) and the graph as JSON; every change of a control re-simulates
 * in the page. Where scripts cannot run, the same HTML shows a static SVG of the default
 * setting, and the bundle also carries that SVG and a Vega-Lite chart of it.
 */
import { JUPYTER_DISPLAY, type MimeBundle } from "../../ir/display.js";
import { NirError } from "../../ir/errors.js";
import { toFloat64, type Tensor } from "../../ir/tensor.js";
import type { NIRGraph } from "../../ir/types.js";
import { profileNames, type ProfileName, type ResetMode } from "../../sim/profiles.js";
import { spikeRaster } from "../raster.js";
import { traces } from "../traces.js";
import type { VegaLiteSpec } from "../spec.js";
import { explorerBundleCode } from "./bundle-file.js";
import { runSvg, runSummary } from "./draw.js";
import { graphToJson, neuronNodes, recordSpecs, runSetting, uniformParams, type ExploreConfig, type ExploreRun, type InputSettings, type ScaleControl } from "./model.js";

/** Options of {@link explore}. */
export interface ExploreOptions {
  /** Time step in seconds (NIR files store none; default 1e-4). */
  dt?: number;
  /** Simulated time in seconds (default: the input tensor's steps × dt, else 0.1 s). */
  duration?: number;
  /** Profile of the first setting (default "norse"). */
  profile?: ProfileName;
  /** Reset of the first setting (default: the profile's own). */
  reset?: ResetMode;
  /** The input: a (steps, channels) tensor of zeros and one spike value, or input settings (default: a 100 Hz regular train of height 1). */
  input?: Tensor | Partial<InputSettings>;
  /** Neuron nodes to draw (default: every top-level neuron node). */
  record?: string[];
  /** Whole tensors to scale, e.g. recurrent weights: `[{node: "lif1.w_rec", field: "weight"}]`. */
  scales?: ScaleControl[];
  /** Names of the output channels (the page shows the one with most output as "predicted"). */
  labels?: string[];
  /** Title above the controls. */
  title?: string;
  /** Code text that evaluates to the graph's path, for "copy as code" (e.g. `"lif.nir"` with its quotes). */
  source?: string;
}

/** What `explore` returns: the config, the default run, and its display. */
export interface Explorer {
  config: ExploreConfig;
  /** The default setting's run (what the static picture shows). */
  initial: ExploreRun;
  /** The HTML fragment (controls, plot, embedded module, static fallback). */
  html(): string;
  /** A whole self-contained HTML page (what `nir explore --out` writes). */
  page(): string;
  [JUPYTER_DISPLAY](): MimeBundle;
}

/** Input channels of the graph's single Input node. */
function channelsOf(graph: NIRGraph): number {
  const inputs = [...graph.nodes].filter(([, n]) => n.type === "Input");
  if (inputs.length !== 1) throw new NirError("ir.no_input", `the explorer needs exactly one Input node, found ${inputs.length}`, { hint: "add an Input node feeding the first layer" });
  const [name, node] = inputs[0];
  const shape = node.type === "Input" && node.shape ? Array.from(toFloat64(node.shape)) : [];
  const n = shape.reduce((a, b) => a * b, 1);
  if (!(n >= 1)) throw new NirError("viz.invalid", `Input node "${name}" has no shape`, { node: name, field: "shape", hint: "give the Input node a shape, e.g. [1]" });
  return n;
}

/** Input settings from a (steps, channels) tensor of zeros and one spike value. */
function inputFromTensor(x: Tensor, dt: number, channels: number): InputSettings {
  const v = toFloat64(x), T = x.shape[0];
  if (x.shape.length < 1 || v.length !== T * channels) throw new NirError("viz.invalid", `input has shape [${x.shape.join(", ")}], the graph takes ${channels} channels per step`, { field: "input", hint: `pass a (steps, ${channels}) tensor` });
  const times = Array.from({ length: channels }, () => [] as number[]);
  let amplitude = 0;
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < channels; c++) {
      const y = v[t * channels + c];
      if (y === 0) continue;
      if (amplitude !== 0 && y !== amplitude) throw new NirError("viz.invalid", `input holds two spike values (${amplitude} and ${y})`, { field: "input", hint: "pass spikes of one height, or input settings {kind: \"current\", amplitude}" });
      amplitude = y;
      times[c].push(Number((t * dt).toPrecision(12)));
    }
  }
  return { kind: "spikes", amplitude: amplitude || 1, rate: 100, seed: 1, times };
}

/** The explorer's config for `graph` (checks every option; a NirError names the one that is wrong). */
export function exploreConfig(graph: NIRGraph, opts: ExploreOptions = {}): ExploreConfig {
  const dt = opts.dt ?? 1e-4;
  if (!(dt > 0)) throw new NirError("sim.missing_dt", `dt must be a positive number of seconds, got ${String(opts.dt)}`, { field: "dt", hint: "e.g. {dt: 1e-4}" });
  const profile = opts.profile ?? "norse";
  if (!profileNames().includes(profile)) throw new NirError("sim.unsupported", `unknown profile "${profile}"`, { field: "profile", hint: `one of ${profileNames().join(", ")}` });
  const channels = channelsOf(graph);
  const tensorIn = opts.input && "dtype" in opts.input ? (opts.input as Tensor) : null;
  const duration = opts.duration ?? (tensorIn ? Number((tensorIn.shape[0] * dt).toPrecision(12)) : 0.1);
  const input: InputSettings = tensorIn ? inputFromTensor(tensorIn, dt, channels) : { kind: "regular", amplitude: 1, rate: 100, seed: 1, times: [], ...(opts.input as Partial<InputSettings> | undefined) };
  const record = opts.record ?? neuronNodes(graph);
  for (const n of record) if (!graph.nodes.has(n)) throw new NirError("viz.invalid", `record names node "${n}", which the graph does not have`, { node: n, field: "record", hint: `one of ${neuronNodes(graph).join(", ")}` });
  const scales = opts.scales ?? [];
  for (const s of scales) {
    const t = (graph.nodes.get(s.node) as unknown as Record<string, Tensor | undefined> | undefined)?.[s.field];
    if (!t?.data) throw new NirError("viz.invalid", `scales names ${s.node}.${s.field}, which is not a tensor of the graph`, { node: s.node, field: s.field, hint: "name a top-level node and one of its tensor fields" });
  }
  const params = uniformParams(graph);
  return {
    title: opts.title ?? "nirkit explorer",
    graph: graphToJson(graph),
    source: opts.source ?? null,
    duration,
    channels,
    params,
    scales,
    record,
    recordSpecs: recordSpecs(graph, record),
    labels: opts.labels ?? null,
    defaults: { dt, profile, reset: opts.reset ?? "profile", values: params.map((p) => p.value), scales: scales.map(() => 1), input },
  };
}

/** A Vega-Lite chart of the default run (the first drawn node: traces for ≤ 4 neurons, else a raster). */
function staticSpec(cfg: ExploreConfig, run: ExploreRun): VegaLiteSpec | null {
  const node = run.nodes[0];
  if (!node) return null;
  const title = `${cfg.title}: the default setting`;
  if (node.v && node.n <= 4) return traces({ dtype: "float64", shape: [run.steps, node.n], data: node.v }, { dt: run.dt, threshold: node.threshold ?? undefined, title });
  if (node.spikes) return spikeRaster({ dtype: "float64", shape: [run.steps, node.n], data: node.spikes }, { dt: run.dt, title });
  return null;
}

let counter = 0;

/** Builds a live explorer of `graph` (see the file comment). */
export function explore(graph: NIRGraph, opts: ExploreOptions = {}): Explorer {
  const config = exploreConfig(graph, opts);
  const initial = runSetting(graph, config, config.defaults);
  const svg = runSvg(initial, [], { duration: config.duration, channels: config.channels, current: config.defaults.input.kind === "current", labels: config.labels });
  const sum = runSummary(initial);
  const text = `${config.title}: ${sum.count} output spike steps (${sum.steps || "none"})${sum.predicted !== null ? `, predicted ${sum.predicted}` : ""} with the defaults; the live explorer needs a front end that runs the output's script`;
  const html = (): string => {
    const id = `nirkit-explorer-${Date.now().toString(36)}-${(counter++).toString(36)}`;
    const json = JSON.stringify(config).replace(/</g, "\\u003c");
    return `<div class="nirkit-explorer" id="${id}" data-nirkit-explorer="1"><div class="nx-static">` +
      `<p style="font:12px sans-serif;color:#555">${escapeText(config.title)}: static picture of the default setting (${sum.count} output spike steps). The live explorer needs scripts: a trusted notebook, an nbconvert HTML file, or a page from <code>nir explore</code>.</p>${svg}</div></div>` +
      `<script type="application/json" id="${id}-config">${json}</script>` +
      `<script type="module">${explorerBundleCode()}</script>`;
  };
  return {
    config,
    initial,
    html,
    page: () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeText(config.title)}</title></head><body>${html()}</body></html>\n`,
    [JUPYTER_DISPLAY](): MimeBundle {
      const spec = staticSpec(config, initial);
      return { "text/html": html(), "image/svg+xml": svg, ...(spec ? { "application/vnd.vegalite.v5+json": spec } : {}), "text/plain": text };
    },
  };
}

function escapeText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
