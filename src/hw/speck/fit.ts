/** Speck fit check: layer rules, memory formulas and core assignment by bipartite matching. */
import type { NIRGraph } from "../../ir/types.js";
import { maxBipartiteMatching } from "../matching.js";
import { CHIP_LABELS, type FitReport, type FitViolation } from "../types.js";
import {
  SPECK_BIAS_MEMORY, SPECK_CORES, SPECK_KERNEL_MEMORY, SPECK_MAX_DESTINATIONS, SPECK_MAX_READOUT, SPECK_NEURON_MEMORY,
} from "./constraints.js";
import { planSpeck, type SpeckPlan } from "./map.js";

/** Assigns each planned layer a core (−1 when none is left that fits its memory). */
export function assignSpeckCores(plan: SpeckPlan): number[] {
  const allowed = plan.layers.map((l) => {
    const cores: number[] = [];
    for (let c = 0; c < SPECK_CORES; c++) {
      if (l.kernelMemory <= SPECK_KERNEL_MEMORY[c] && l.neuronMemory <= SPECK_NEURON_MEMORY[c] && l.biasMemory <= SPECK_BIAS_MEMORY) cores.push(c);
    }
    // Prefer the tightest core so large cores stay free for large layers.
    return cores.sort((a, b) => SPECK_KERNEL_MEMORY[a] + SPECK_NEURON_MEMORY[a] - (SPECK_KERNEL_MEMORY[b] + SPECK_NEURON_MEMORY[b]) || a - b);
  });
  return maxBipartiteMatching(allowed, SPECK_CORES).match;
}

/** Checks a graph against Speck's rules and memory; lists each layer's core and memory use. */
export function checkFitSpeck(graph: NIRGraph): FitReport {
  const plan = planSpeck(graph);
  const violations: FitViolation[] = [...plan.violations];
  const warnings = [...plan.warnings];
  if (plan.layers.length > SPECK_CORES) {
    violations.push({ node: plan.layers[SPECK_CORES].weightNode, constraint: "at most 9 layers (cores)", limit: SPECK_CORES, actual: plan.layers.length, fix: "merge or remove layers" });
  }
  const cores = assignSpeckCores(plan);
  plan.layers.forEach((l, i) => {
    if (cores[i] < 0 && plan.layers.length <= SPECK_CORES) {
      const fitsAny = SPECK_KERNEL_MEMORY.some((k, c) => l.kernelMemory <= k && l.neuronMemory <= SPECK_NEURON_MEMORY[c]);
      violations.push({
        node: l.weightNode,
        constraint: fitsAny ? "core assignment (bipartite matching)" : "kernel/neuron memory of a core",
        limit: fitsAny ? "one free core per layer" : `kernel ≤ ${Math.max(...SPECK_KERNEL_MEMORY)} and neuron memory of the same core`,
        actual: `kernel ${l.kernelMemory}, neurons ${l.neuronMemory}`,
        fix: fitsAny ? "shrink layers so the memory table admits a one-to-one assignment" : "use fewer channels or a smaller map (kernel memory c·2^(⌈log2 k²⌉+⌈log2 f⌉))",
      });
    }
    if (l.biasMemory > SPECK_BIAS_MEMORY) violations.push({ node: l.weightNode, constraint: "bias memory ≤ 1024", limit: SPECK_BIAS_MEMORY, actual: l.biasMemory, fix: "use at most 1024 output channels" });
  });
  const last = plan.layers[plan.layers.length - 1];
  if (last && last.cOut * last.hOut * last.wOut > SPECK_MAX_READOUT) {
    warnings.push(`${last.neuronNode ?? last.weightNode}: ${last.cOut * last.hOut * last.wOut} outputs exceed the 15-class readout layer; read spikes from the last core instead`);
  }
  const neurons = plan.layers.reduce((a, l) => a + l.cOut * l.hOut * l.wOut, 0);
  const synapses = plan.layers.reduce((a, l) => a + l.weight.length, 0);
  const used = cores.filter((c) => c >= 0);
  const layers = plan.layers.map((l, i) => ({
    name: l.name, nodes: l.nodes, neurons: l.cOut * l.hOut * l.wOut, synapses: l.weight.length,
    core: cores[i], kernelMemory: l.kernelMemory, neuronMemory: l.neuronMemory, biasMemory: l.biasMemory,
  }));
  const kernelCap = used.reduce((a, c) => a + SPECK_KERNEL_MEMORY[c], 0);
  const neuronCap = used.reduce((a, c) => a + SPECK_NEURON_MEMORY[c], 0);
  return {
    chip: "speck",
    chipLabel: CHIP_LABELS.speck,
    fits: violations.length === 0,
    violations,
    warnings,
    resources: [
      { resource: "cores", used: plan.layers.length, capacity: SPECK_CORES },
      { resource: "kernel memory (assigned cores)", used: plan.layers.reduce((a, l) => a + l.kernelMemory, 0), capacity: kernelCap },
      { resource: "neuron memory (assigned cores)", used: plan.layers.reduce((a, l) => a + l.neuronMemory, 0), capacity: neuronCap },
      { resource: "neurons", used: neurons, capacity: SPECK_NEURON_MEMORY.reduce((a, b) => a + b, 0) },
    ],
    neurons,
    synapses,
    fanOut: { used: plan.maxFanOut, capacity: SPECK_MAX_DESTINATIONS },
    layers,
  };
}
