/**
 * SpiNNaker2 fit check (py-spinnaker2 `s2_nir` rules): supported node types and neuron models,
 * pooling that folds into a conv, and processing elements needed at max_atoms_per_core.
 */
import type { Tensor } from "../../ir/tensor.js";
import type { NIRGraph } from "../../ir/types.js";
import { extractDense, graphWeightCount, maxFanOut, type DenseNet } from "../dense.js";
import { flatNumbers } from "../graph.js";
import { CHIP_LABELS, type ChipFitOptions, type FitReport, type FitViolation } from "../types.js";

/** Processing elements per SpiNNaker2 chip (Höppner et al. 2021: 152 ARM Cortex-M4F PEs). */
export const S2_PES = 152;
/** Default neurons per PE when the user sets none. */
export const S2_DEFAULT_ATOMS = 250;

/** The s2_nir rules a graph breaks (its dense form `net`; a Conv2d needs conn_delay 0). */
export function s2Violations(graph: NIRGraph, net: DenseNet, opts: { connDelay?: number }): FitViolation[] {
  const v = net.violations.filter((x) => !(x.constraint === "weights fed by Input or neurons" && /Pool2d$/.test(String(x.actual))));
  for (const [name, type] of net.other) {
    if (!["Conv2d", "SumPool2d", "AvgPool2d"].includes(type)) v.push({ node: name, constraint: "supported node types (s2_nir)", limit: "LIF, IF, CubaLIF, Affine, Linear, Conv2d, SumPool2d, AvgPool2d, Flatten", actual: type, fix: "replace this node" });
    if (type === "Conv2d" && opts.connDelay !== undefined && opts.connDelay !== 0) v.push({ node: name, constraint: "Conv2DProjection needs conn_delay 0", limit: 0, actual: opts.connDelay, fix: "use connDelay 0" });
    if (type === "SumPool2d" || type === "AvgPool2d") {
      const p = graph.nodes.get(name) as unknown as { kernel_size: Tensor; stride: Tensor; padding: Tensor };
      const k = Array.from(flatNumbers(Array.from(p.kernel_size.data as ArrayLike<number>, Number)));
      const s = Array.from(p.stride.data as ArrayLike<number>, Number);
      const pad = Array.from(p.padding.data as ArrayLike<number>, Number);
      if (k.join() !== s.join() || pad.some((x) => x !== 0)) v.push({ node: name, constraint: "pooling fused into conv: kernel = stride, no padding", limit: "kernel = stride, pad 0", actual: `k ${k} s ${s} p ${pad}`, fix: "use non-overlapping unpadded pooling" });
    }
  }
  for (const p of net.populations) {
    if (!["LIF", "IF", "CubaLIF"].includes(p.type)) v.push({ node: p.node, constraint: "neuron models lif / lif_curr_exp", limit: "LIF, IF, CubaLIF", actual: p.type, fix: "use LIF, IF or CubaLIF" });
  }
  for (const [name, type] of net.other) if (type === "Conv2d") {
    for (const e of graph.edges) if (e[0] === name && graph.nodes.get(e[1])?.type === "CubaLIF") v.push({ node: e[1], constraint: "no CubaLIF after Conv2d", limit: "LIF/IF", actual: "CubaLIF", fix: "use LIF or IF after convolutions" });
  }
  return v;
}
/** Checks a graph against SpiNNaker2 (s2_nir rules, PEs needed at max_atoms_per_core). */
export function checkFitSpinnaker2(graph: NIRGraph, opts: ChipFitOptions = {}): FitReport {
  const net = extractDense(graph);
  const violations = s2Violations(graph, net, opts);
  const atoms = opts.maxAtomsPerCore ?? S2_DEFAULT_ATOMS;
  const pes = net.populations.reduce((a, p) => a + Math.ceil(p.size / atoms), 0) + Math.ceil(net.inputSize / atoms);
  if (pes > S2_PES) violations.push({ node: "(graph)", constraint: "processing elements ≤ 152", limit: S2_PES, actual: pes, fix: "raise max_atoms_per_core or use a multi-chip board" });
  const neurons = net.populations.reduce((a, p) => a + p.size, 0);
  const synapses = graphWeightCount(graph);
  const fan = maxFanOut(net);
  return {
    chip: "spinnaker2",
    chipLabel: CHIP_LABELS.spinnaker2,
    fits: violations.length === 0,
    violations,
    warnings: [],
    resources: [
      { resource: `PEs (${atoms} neurons each)`, used: pes, capacity: S2_PES },
      { resource: "neurons", used: neurons, capacity: S2_PES * atoms },
    ],
    neurons,
    synapses,
    fanOut: { used: fan, capacity: Infinity },
    layers: net.populations.map((p) => ({ name: p.node, nodes: [p.node], neurons: p.size, synapses: 0 })),
  };
}
