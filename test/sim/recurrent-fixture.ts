/**
 * Shared by the small-graph kernel tests: a seeded generator, bit-for-bit comparison, and a synthetic small recurrent graph: Input(5) → Affine →
 * CubaLIF(71) ⇄ Affine(71×71), → Linear(9×71) → CubaLIF(9). 71 is odd and above the unrolling
 * limit, so the looped and padded paths of the generated kernel run. Weights come from `r`.
 */
import * as ir from "../../src/ir/index.js";
import type { Tensor } from "../../src/ir/tensor.js";

export { rng } from "../support/index.js";

/** Bit-for-bit equality (−0 ≠ 0, NaN = NaN); the first differing index or −1. */
export function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) return k;
  return -1;
}

/** The graph above with weights and biases drawn from r(). */
export function smallRecurrentGraph(r: () => number): ir.NIRGraph {
  const t64 = (shape: number[], f: () => number): Tensor => ({ dtype: "float64", shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f) });
  const cuba = (n: number) => ir.CubaLIF({ tau_syn: t64([n], () => 2e-3), tau_mem: t64([n], () => 4e-3), r: t64([n], () => 1), v_leak: t64([n], () => 0), v_threshold: t64([n], () => 0.05), w_in: t64([n], () => 1) });
  return ir.NIRGraph({
    nodes: {
      input: ir.Input({ shape: [5] }),
      fc1: ir.Affine({ weight: t64([71, 5], () => (r() - 0.3) * 2), bias: t64([71], () => (r() - 0.5) * 0.1) }),
      lif: cuba(71),
      rec: ir.Affine({ weight: t64([71, 71], () => (r() - 0.55) * 0.5), bias: t64([71], () => (r() - 0.5) * 0.05) }),
      fc2: ir.Linear({ weight: t64([9, 71], () => (r() - 0.4) * 0.5) }),
      out: cuba(9),
      output: ir.Output({ shape: [9] }),
    },
    edges: [["input", "fc1"], ["fc1", "lif"], ["lif", "rec"], ["rec", "lif"], ["lif", "fc2"], ["fc2", "out"], ["out", "output"]],
  });
}
