/**
 * Loihi 2 (Lava fixed-point CUBA LIF + Dense) fit check. Layer parameters must be uniform
 * (lava-dl asserts one decay/threshold per layer), tau ≥ dt (12-bit decays), threshold
 * mantissa ≤ 131071, no v_leak. Capacity: 128 neuro-cores, 8192 neurons per core assumed
 * (1M neurons / 128 cores), 120M synapses per chip (hardware-and-peers.md §2.3).
 */
import type { NIRGraph } from "../../ir/types.js";
import { extractDense, graphWeightCount, maxFanOut, param, type DenseNet } from "../dense.js";
import { tauSeconds } from "../graph.js";
import { CHIP_LABELS, type ChipFitOptions, type FitReport, type FitViolation, type ChipTimeUnit } from "../types.js";

/** Neuro-cores per chip. */
export const LOIHI2_CORES = 128;
/** Neurons per neuro-core (assumed: 1M neurons / 128 cores). */
export const LOIHI2_NEURONS_PER_CORE = 8192;
/** Synapses per chip. */
export const LOIHI2_MAX_SYNAPSES = 120_000_000;
/** Largest threshold mantissa (17 bit). */
export const LOIHI2_MAX_VTH_MANT = 131071;

const uniform = (a: Float64Array): boolean => a.every((x) => x === a[0]);

/** Lava-specific checks of a dense view; shared by fit and export. */
export function loihiViolations(net: DenseNet, dt: number, unit: ChipTimeUnit): FitViolation[] {
  // pools feeding weights are netx pool layers, not a structural problem here
  const v: FitViolation[] = net.violations.filter((x) => !(x.constraint === "weights fed by Input or neurons" && /Pool2d$/.test(String(x.actual))));
  for (const [name, type] of net.other) {
    if (type === "Conv2d" || type === "SumPool2d" || type === "AvgPool2d") continue; // netx conv/pool layers
    v.push({ node: name, constraint: "supported node types", limit: "Affine, Linear, Conv2d, SumPool2d, Flatten, LIF, CubaLIF, IF", actual: type, fix: "replace this node" });
  }
  for (const p of net.populations) {
    if (!["LIF", "CubaLIF", "IF"].includes(p.type)) {
      v.push({ node: p.node, constraint: "neuron model CUBA LIF", limit: "LIF, CubaLIF, IF", actual: p.type, fix: "use a spiking LIF/CubaLIF/IF node" });
      continue;
    }
    const taus = p.type === "IF" ? [] : p.type === "LIF" ? [["tau", param(p, "tau", 1)]] : [["tau_mem", param(p, "tau_mem", 1)], ["tau_syn", param(p, "tau_syn", 1)]];
    for (const [field, t] of taus as [string, Float64Array][]) {
      if (!uniform(t)) v.push({ node: p.node, constraint: `one ${field} per layer`, limit: "uniform", actual: "per-neuron values", fix: "use one time constant per layer (lava-dl decays are per layer)" });
      const ts = tauSeconds(t[0], unit, dt);
      if (!(ts >= dt)) v.push({ node: p.node, constraint: `${field} ≥ dt (12-bit decay dt/tau·4095 ≤ 4095)`, limit: `≥ ${dt} s`, actual: `${ts} s`, fix: "use a smaller dt" });
    }
    const th = param(p, "v_threshold", 1);
    if (!uniform(th)) v.push({ node: p.node, constraint: "one threshold per layer", limit: "uniform", actual: "per-neuron values", fix: "use one v_threshold per layer" });
    const mant = Math.trunc(th[0] * LOIHI2_MAX_VTH_MANT) >> 9;
    if (mant > LOIHI2_MAX_VTH_MANT || mant <= 0) v.push({ node: p.node, constraint: "threshold mantissa 1..131071", limit: "1..131071", actual: mant, fix: "rescale weights and threshold" });
    const r = param(p, "r", 1);
    if (!uniform(r)) v.push({ node: p.node, constraint: "one r per layer (folded into weights)", limit: "uniform", actual: "per-neuron values", fix: "use one r per layer" });
    if (param(p, "v_leak", 0).some((x) => x !== 0)) v.push({ node: p.node, constraint: "v_leak = 0", limit: 0, actual: "non-zero", fix: "express the leak target as a bias" });
  }
  return v;
}

/** Checks a graph against Loihi 2 (Lava bit-accurate model). */
export function checkFitLoihi2(graph: NIRGraph, opts: ChipFitOptions = {}): FitReport {
  const dt = opts.dt ?? 1e-4;
  const net = extractDense(graph);
  const violations = loihiViolations(net, dt, opts.timeUnit ?? "s");
  const warnings: string[] = [];
  if (opts.dt === undefined) warnings.push("dt not given: decays computed with dt = 1e-4 s (the paper's value)");
  if (opts.reset === "subtract") warnings.push("Lava's LIF resets v to 0; reset \"subtract\" cannot be honoured");
  // conv neurons are counted through their neuron nodes
  const neurons = net.populations.reduce((a, p) => a + p.size, 0);
  const synapses = graphWeightCount(graph);
  const cores = net.populations.reduce((a, p) => a + Math.ceil(p.size / LOIHI2_NEURONS_PER_CORE), 0);
  if (cores > LOIHI2_CORES) violations.push({ node: "(graph)", constraint: "neuro-cores ≤ 128", limit: LOIHI2_CORES, actual: cores, fix: "use fewer neurons or several chips" });
  if (synapses > LOIHI2_MAX_SYNAPSES) violations.push({ node: "(graph)", constraint: "synapses ≤ 120M", limit: LOIHI2_MAX_SYNAPSES, actual: synapses, fix: "prune or use several chips" });
  const fan = maxFanOut(net);
  return {
    chip: "loihi2",
    chipLabel: CHIP_LABELS.loihi2,
    fits: violations.length === 0,
    violations,
    warnings,
    resources: [
      { resource: "neuro-cores", used: cores, capacity: LOIHI2_CORES },
      { resource: "neurons", used: neurons, capacity: LOIHI2_CORES * LOIHI2_NEURONS_PER_CORE },
      { resource: "synapses", used: synapses, capacity: LOIHI2_MAX_SYNAPSES },
    ],
    neurons,
    synapses,
    fanOut: { used: fan, capacity: LOIHI2_NEURONS_PER_CORE * LOIHI2_CORES },
    layers: net.populations.map((p) => ({ name: p.node, nodes: [p.node], neurons: p.size, synapses: net.projections.filter((q) => q.dst === net.populations.indexOf(p)).reduce((a, q) => a + q.weight.length, 0) })),
  };
}
