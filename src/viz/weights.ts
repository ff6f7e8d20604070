/**
 * Weight histograms, one panel per layer: every node with a `weight` (Affine, Linear, Conv1d,
 * Conv2d), binned into equal-width bins before embedding (a 256×128 layer is 40 bars, not 32k
 * numbers).
 */
import { isTensor, toFloat64, type Tensor } from "../ir/tensor.js";
import type { NIRGraph, NIRNode } from "../ir/types.js";
import { flattenForDiagram } from "./diagram.js";
import { findBackEdges, longestPathLayers } from "./layout.js";
import { mergeSpec, roundForChart, titleBlock, VEGA_LITE_SCHEMA, vizError, type ChartOptions, type VegaLiteSpec } from "./spec.js";

/** A layer's weights. */
export interface LayerWeights {
  name: string;
  weight: Tensor;
}

/** Options of {@link weightHistogram}. */
export interface WeightHistogramOptions extends ChartOptions {
  /** Bins per layer (default 40). */
  bins?: number;
  /** Only these layers (node names / dotted paths). */
  layers?: string[];
  /** Panels per row (default 3). */
  columns?: number;
}

/** Equal-width histogram of `values` over [min, max] (the maximum falls in the last bin). */
export function histogram(values: ArrayLike<number>, bins: number): { lo: number; hi: number; width: number; counts: Int32Array } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  const width = (hi - lo) / bins;
  const counts = new Int32Array(bins);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor((values[i] - lo) / width))]++;
  return { lo, hi, width, counts };
}

/** The layers of a graph that have weights, from input to output (subgraphs as dotted paths). */
export function weightLayers(graph: NIRGraph): LayerWeights[] {
  const flat = flattenForDiagram(graph, { groupDottedNames: false });
  const ids = flat.nodes.map((n) => n.id);
  const back = findBackEdges(ids, flat.edges);
  const depth = longestPathLayers(ids, flat.edges.filter((e, k) => !back.has(k) && e.source !== e.target));
  const out: LayerWeights[] = [];
  const walk = (g: NIRGraph, prefix: string): void => {
    for (const [name, node] of g.nodes as Map<string, NIRNode>) {
      if (node.type === "NIRGraph") walk(node, `${prefix}${name}.`);
      else if ("weight" in node && isTensor(node.weight)) out.push({ name: prefix + name, weight: node.weight });
    }
  };
  walk(graph, "");
  const rank = (name: string): number => depth.get(name) ?? Number.MAX_SAFE_INTEGER;
  return out.map((l, i) => ({ l, i })).sort((a, b) => rank(a.l.name) - rank(b.l.name) || a.i - b.i).map((x) => x.l);
}

/**
 * Histograms of the weights of each layer (a graph, or a list of layers). Marks: `bins` (one bar
 * per non-empty bin, all panels together).
 */
export function weightHistogram(input: NIRGraph | LayerWeights[], opts: WeightHistogramOptions = {}): VegaLiteSpec {
  let layers = Array.isArray(input) ? input : weightLayers(input);
  if (opts.layers) {
    const missing = opts.layers.filter((l) => !layers.some((x) => x.name === l));
    if (missing.length) throw vizError(`no weights for layer(s) ${missing.join(", ")}`, "layers", `layers with weights: ${layers.map((l) => l.name).join(", ")}`);
    layers = layers.filter((l) => opts.layers!.includes(l.name));
  }
  if (!layers.length) throw vizError("no layer with weights to plot", "graph", "the graph has no Affine/Linear/Conv node");
  const bins = opts.bins ?? 40;
  const rows: Record<string, unknown>[] = [];
  const labels: string[] = [];
  for (const l of layers) {
    const label = `${l.name} (${l.weight.shape.join("×")})`;
    labels.push(label);
    const h = histogram(toFloat64(l.weight), bins);
    h.counts.forEach((c, k) => {
      if (c > 0) rows.push({ layer: label, x0: roundForChart(h.lo + k * h.width), x1: roundForChart(h.lo + (k + 1) * h.width), count: c });
    });
  }
  const spec: VegaLiteSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(opts.title ?? "Weights per layer", opts.subtitle ?? `${bins} equal-width bins between each layer's min and max`),
    data: { values: rows },
    facet: { field: "layer", type: "nominal", title: null, sort: labels },
    columns: opts.columns ?? Math.min(3, layers.length),
    resolve: { scale: { x: "independent", y: "independent" } },
    spec: {
      name: "bins",
      width: opts.width ?? 220,
      height: opts.height ?? 120,
      mark: { type: "rect", color: "#4c78a8", tooltip: { content: "data" } },
      encoding: {
        x: { field: "x0", type: "quantitative", title: "weight", scale: { zero: false, nice: false } },
        x2: { field: "x1" },
        y: { field: "count", type: "quantitative", title: "count" },
        y2: { datum: 0 },
      },
    },
  };
  return mergeSpec(spec, opts.overrides);
}
