/**
 * Speck export: quantises each Conv+IF pair the way sinabs `discretize` does (one scale per
 * layer: the largest that fits int8 weights and biases and 16-bit thresholds, round to
 * nearest) and emits a JSON mirror of samna `CNNLayerConfig` per core.
 */
import { NirError } from "../../ir/errors.js";
import type { NIRGraph } from "../../ir/types.js";
import { nest, requireExportBasics, roundHalfEven } from "../graph.js";
import { quantError } from "../quant.js";
import type { ChipExportOptions, QuantError } from "../types.js";
import { SPECK_STATE_BITS, SPECK_WEIGHT_BITS } from "./constraints.js";
import { checkFitSpeck, assignSpeckCores } from "./fit.js";
import { planSpeck } from "./map.js";
import { assertFits } from "../fit-violation.js";

/** samna-like size record. */
export interface SpeckSize { x: number; y: number }

/** JSON mirror of one samna `CNNLayerConfig` plus the NIR nodes it came from. */
export interface SpeckLayerConfig {
  core: number;
  nirNodes: { weight: string; neuron: string; pool: string | null };
  dimensions: {
    input_shape: { feature_count: number; size: SpeckSize };
    output_shape: { feature_count: number; size: SpeckSize };
    padding: SpeckSize;
    stride: SpeckSize;
    kernel_size: number;
  };
  /** Integer weights [out][in][x][y] (H and W swapped, as sinabs writes them). */
  weights: number[][][][];
  biases: number[];
  leak_enable: boolean;
  threshold_high: number;
  threshold_low: number;
  return_to_zero: boolean;
  /** Initial state: all zero (stored as a scalar to keep the JSON small). */
  neurons_initial_value: number;
  destinations: { layer: number; enable: boolean; pooling: number }[];
  /** The float → integer scale of this layer. */
  scale: number;
}

/** The exported Speck configuration. */
export interface SpeckConfig {
  chip: "speck";
  format: string;
  dt: number;
  reset: "zero" | "subtract";
  inputNode: string;
  inputShape: [number, number, number];
  outputShape: number[];
  cnnLayers: SpeckLayerConfig[];
  quantization: QuantError[];
  warnings: string[];
}

function scaleFor(vals: ArrayLike<number>, bits: number): number {
  let mx = 0;
  let mn = 0;
  for (let i = 0; i < vals.length; i++) {
    if (vals[i] > mx) mx = vals[i];
    if (vals[i] < mn) mn = vals[i];
  }
  let s = Infinity;
  if (mx > 0) s = Math.min(s, (2 ** (bits - 1) - 1) / mx);
  if (mn < 0) s = Math.min(s, 2 ** (bits - 1) / -mn);
  return s;
}

/** Quantises and maps a graph to Speck; throws a NirError listing the violations if it does not fit. */
export function exportSpeck(graph: NIRGraph, opts: ChipExportOptions): SpeckConfig {
  requireExportBasics(opts, "speck");
  const fit = checkFitSpeck(graph);
  assertFits("Speck", fit.violations);
  const plan = planSpeck(graph);
  const cores = assignSpeckCores(plan);
  const quantization: QuantError[] = [];
  const cnnLayers: SpeckLayerConfig[] = plan.layers.map((l, i) => {
    const r = l.r ?? 1;
    const thr = l.threshold ?? 1;
    const w = l.weight.map((x) => x * r);
    const b = l.bias.map((x) => x * r);
    const low = opts.minVMem === undefined || opts.minVMem === "threshold" ? -thr : opts.minVMem === "none" ? null : opts.minVMem;
    const thresholds = low === null ? [thr] : [thr, low];
    const s = Math.min(scaleFor(w, SPECK_WEIGHT_BITS), scaleFor(b, SPECK_WEIGHT_BITS), scaleFor(thresholds, SPECK_STATE_BITS));
    if (!Number.isFinite(s)) throw new NirError("hw.config", "layer has all-zero weights and threshold; cannot choose a scale", { node: l.weightNode });
    const qw = w.map((x) => roundHalfEven(x * s));
    const qb = b.map((x) => roundHalfEven(x * s));
    quantization.push(quantError(l.weightNode, "weight", w, qw, s));
    if (b.some((x) => x !== 0)) quantization.push(quantError(l.weightNode, "bias", b, qb, s));
    const thrHigh = roundHalfEven(thr * s);
    quantization.push(quantError(l.neuronNode ?? l.weightNode, "v_threshold", [thr], [thrHigh], s));
    const thrLow = low === null ? -(2 ** (SPECK_STATE_BITS - 1)) : roundHalfEven(low * s);
    // samna order [out][in][x][y]: swap H and W.
    const { cOut, cIn, kH, kW } = l;
    const tw: number[] = new Array(qw.length);
    for (let f = 0; f < cOut; f++) for (let c = 0; c < cIn; c++) for (let y = 0; y < kH; y++) for (let x = 0; x < kW; x++) {
      tw[((f * cIn + c) * kW + x) * kH + y] = qw[((f * cIn + c) * kH + y) * kW + x];
    }
    const next = i + 1 < plan.layers.length ? cores[i + 1] : -1;
    return {
      core: cores[i],
      nirNodes: { weight: l.weightNode, neuron: l.neuronNode ?? "", pool: l.poolNode },
      dimensions: {
        input_shape: { feature_count: cIn, size: { x: l.wIn, y: l.hIn } },
        output_shape: { feature_count: cOut, size: { x: l.wOut, y: l.hOut } },
        padding: { x: l.padX, y: l.padY },
        stride: { x: l.strideX, y: l.strideY },
        kernel_size: kH,
      },
      weights: nest(tw, [cOut, cIn, kW, kH]) as number[][][][],
      biases: Array.from(qb),
      leak_enable: qb.some((x) => x !== 0),
      threshold_high: thrHigh,
      threshold_low: thrLow,
      return_to_zero: opts.reset === "zero",
      neurons_initial_value: 0,
      destinations: [
        { layer: next >= 0 ? next : 0, enable: next >= 0, pooling: l.pool },
        { layer: 0, enable: false, pooling: 1 },
      ],
      scale: s,
    };
  });
  const last = plan.layers[plan.layers.length - 1];
  const ph = Math.floor(last.hOut / last.pool), pw = Math.floor(last.wOut / last.pool);
  return {
    chip: "speck",
    format: "nirkit speck/1 (samna CNNLayerConfig mirror)",
    dt: opts.dt,
    reset: opts.reset,
    inputNode: plan.inputNode ?? "input",
    inputShape: plan.inputShape,
    outputShape: ph * pw === 1 ? [last.cOut] : [last.cOut, ph, pw],
    cnnLayers,
    quantization,
    warnings: fit.warnings,
  };
}
