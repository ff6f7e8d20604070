/**
 * A one-neuron CubaLIF graph whose Loihi 2 current u passes 2^23 under constant input (weight 25600,
 * τ_syn 4 s so du rounds to 0, dt 2^-10 s): the case where the 24-bit wrap of u matters.
 */
import * as ir from "../../src/ir/index.js";
import type { Tensor } from "../../src/ir/tensor.js";

/** A float64 tensor of one value. */
export const t1 = (x: number): Tensor => ({ dtype: "float64", shape: [1], data: Float64Array.of(x) });

/** The time step the wrap case runs at (seconds). */
export const dt = 2 ** -10;

/** Input(1) → Affine(25600) → CubaLIF → Output. */
export function wrapGraph(): ir.NIRGraph {
  return ir.NIRGraph({
    nodes: {
      input: ir.Input({ shape: [1] }),
      w: ir.Affine({ weight: { dtype: "float64", shape: [1, 1], data: Float64Array.of(25600) }, bias: t1(0) }),
      lif: ir.CubaLIF({ tau_syn: t1(4), tau_mem: t1(2 ** -7), r: t1(1), v_leak: t1(0), v_threshold: t1(40), w_in: t1(1) }),
      output: ir.Output({ shape: [1] }),
    },
    edges: [["input", "w"], ["w", "lif"], ["lif", "output"]],
  });
}
