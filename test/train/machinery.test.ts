/**
 * The training machinery on its own: finite differences on graphs without spikes (where the
 * gradient is exact: every family, a nested subgraph with a cycle, delays, all three losses), the
 * forward pass against the simulator spike for spike, and the errors for bad input.
 */
import { describe, expect, it } from "vitest";
import * as ir from "../../src/ir/index.js";
import type { Tensor } from "../../src/ir/tensor.js";
import { compile } from "../../src/sim/index.js";
import { gradients } from "../../src/train/gradients.js";
import type { LossName } from "../../src/train/loss.js";
import { compileTrainer } from "../../src/train/network.js";
import { rng, smallRecurrentGraph } from "../sim/recurrent-fixture.js";

const t64 = (shape: number[], f: () => number): Tensor<"float64"> => ({ dtype: "float64", shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f) });

/** Input(2,6,6) → Conv2d → LI → AvgPool2d → Flatten → Affine → [CubaLI ⇄ Affine] → Delay → Scale → Linear → LI. */
function smoothGraph(r: () => number): ir.NIRGraph {
  const u = (s: number) => () => (r() - 0.5) * s;
  const sub = ir.NIRGraph({
    nodes: {
      input: ir.Input({ shape: [8] }),
      cuba: ir.CubaLI({ tau_syn: t64([8], () => 4e-3), tau_mem: t64([8], () => 6e-3), r: t64([8], () => 1.5), v_leak: t64([8], u(0.2)), w_in: t64([8], () => 1) }),
      rec: ir.Affine({ weight: t64([8, 8], u(0.6)), bias: t64([8], u(0.2)) }),
      output: ir.Output({ shape: [8] }),
    },
    edges: [["input", "cuba"], ["cuba", "rec"], ["rec", "cuba"], ["cuba", "output"]],
  });
  return ir.NIRGraph({
    nodes: {
      input: ir.Input({ shape: [2, 6, 6] }),
      conv: ir.Conv2d({ input_shape: [6, 6], weight: t64([3, 2, 3, 3], u(1)), bias: t64([3], u(0.2)), stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }),
      li1: ir.LI({ tau: t64([3, 6, 6], () => 5e-3), r: t64([3, 6, 6], () => 2), v_leak: t64([3, 6, 6], () => 0) }),
      pool: ir.AvgPool2d({ kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] }),
      flat: ir.Flatten({ start_dim: 0, end_dim: -1, input_type: { input: [3, 3, 3] } }),
      fc: ir.Affine({ weight: t64([8, 27], u(0.8)), bias: t64([8], u(0.2)) }),
      sub,
      delay: ir.Delay({ delay: t64([8], () => 2e-3) }),
      scale: ir.Scale({ scale: t64([8], u(2)) }),
      lin: ir.Linear({ weight: t64([4, 8], u(1)) }),
      out: ir.LI({ tau: t64([4], () => 4e-3), r: t64([4], () => 1), v_leak: t64([4], () => 0) }),
      output: ir.Output({ shape: [4] }),
    },
    edges: [["input", "conv"], ["conv", "li1"], ["li1", "pool"], ["pool", "flat"], ["flat", "fc"], ["fc", "sub"], ["sub", "delay"], ["delay", "scale"], ["scale", "lin"], ["lin", "out"], ["out", "output"]],
  });
}

/** Input(2,10) → Conv1d → I → SumPool-free Flatten → Affine → LI (Conv1d and I). */
function smoothConv1d(r: () => number): ir.NIRGraph {
  const u = (s: number) => () => (r() - 0.5) * s;
  return ir.NIRGraph({
    nodes: {
      input: ir.Input({ shape: [2, 10] }),
      conv: ir.Conv1d({ input_shape: 10, weight: t64([3, 2, 3], u(1)), bias: t64([3], u(0.2)), stride: 2, padding: 1, dilation: 1, groups: 1 }),
      integ: ir.I({ r: t64([3, 5], () => 0.3) }),
      flat: ir.Flatten({ start_dim: 0, end_dim: -1, input_type: { input: [3, 5] } }),
      fc: ir.Affine({ weight: t64([3, 15], u(0.5)), bias: t64([3], u(0.2)) }),
      out: ir.LI({ tau: t64([3], () => 4e-3), r: t64([3], () => 1), v_leak: t64([3], () => 0) }),
      output: ir.Output({ shape: [3] }),
    },
    edges: [["input", "conv"], ["conv", "integ"], ["integ", "flat"], ["flat", "fc"], ["fc", "out"], ["out", "output"]],
  });
}

/** Central differences of the loss for every parameter entry, against the backward pass. */
function checkFiniteDifferences(graph: ir.NIRGraph, input: Tensor, labels: number[], loss: LossName): void {
  const opts = { dt: 1e-3, loss, dtype: "float64" as const };
  const g = gradients(graph, { input, labels }, opts);
  const net = compileTrainer(graph, opts);
  const flatNames = new Map(net.params.map((p) => [p.key, p]));
  const h = 1e-6;
  for (const [key, grad] of Object.entries(g.gradients)) {
    const p = flatNames.get(key)!;
    const node = findNode(graph, p.node);
    const t = (node as unknown as Record<string, Tensor<"float64">>)[p.field];
    const scale = Math.max(1e-12, ...Array.from(grad.data, Math.abs));
    for (let k = 0; k < t.data.length; k++) {
      const keep = t.data[k];
      t.data[k] = keep + h;
      const up = gradients(graph, { input, labels }, opts).loss;
      t.data[k] = keep - h;
      const down = gradients(graph, { input, labels }, opts).loss;
      t.data[k] = keep;
      expect(Math.abs((up - down) / (2 * h) - grad.data[k]) / scale, `${key}[${k}] (${loss})`).toBeLessThan(1e-5);
    }
  }
}

function findNode(graph: ir.NIRGraph, dotted: string): ir.NIRNode {
  let g: ir.NIRGraph = graph;
  const parts = dotted.split(".");
  for (let i = 0; i < parts.length - 1; i++) g = g.nodes.get(parts[i]) as ir.NIRGraph;
  return g.nodes.get(parts[parts.length - 1])!;
}

function spikeInput(r: () => number, shape: number[], p: number): Tensor<"float64"> {
  return t64(shape, () => (r() < p ? 1 : 0));
}

describe("finite differences (graphs without spikes, where BPTT is exact)", () => {
  for (const loss of ["ce-max-v", "ce-count", "mse-count"] as LossName[]) {
    it(`conv, LI, pool, flatten, a nested cycle, delay, scale, linear: ${loss}`, () => {
      const r = rng(7);
      checkFiniteDifferences(smoothGraph(r), spikeInput(r, [12, 2, 2, 6, 6], 0.3), [1, 3], loss);
    });
  }
  it("Conv1d with stride and padding, I, Affine, LI: ce-max-v", () => {
    const r = rng(11);
    checkFiniteDifferences(smoothConv1d(r), spikeInput(r, [9, 3, 2, 10], 0.4), [0, 2, 1], "ce-max-v");
  });
});

describe("the forward pass is the simulator's (norse)", () => {
  it("a recurrent CubaLIF net emits the same spikes at every step as nir simulate", () => {
    const r = rng(3);
    const graph = smallRecurrentGraph(r);
    const input = spikeInput(r, [60, 4, 5], 0.3);
    for (const reset of ["zero", "subtract"] as const) {
      const net = compileTrainer(graph, { dt: 1e-3, reset, dtype: "float64" });
      const mine = net.forward(Float64Array.from(input.data), 60, 4);
      const sim = compile(graph, { dt: 1e-3, reset }).run(input).output;
      let spikes = 0;
      for (const v of sim.data as Float64Array) spikes += v;
      expect(spikes).toBeGreaterThan(20);
      expect(Array.from(mine)).toEqual(Array.from(sim.data as Float64Array));
    }
  });
});

describe("bad input", () => {
  it("names the neuron and the fix when the profile cannot be differentiated", () => {
    const graph = smallRecurrentGraph(rng(1));
    for (const profile of ["sinabs", "exact", "loihi2", "nengo"] as const) {
      try {
        compileTrainer(graph, { dt: 1e-3, profile });
        expect.unreachable();
      } catch (e) {
        expect((e as ir.NirError).code).toBe("train.not_differentiable");
        expect((e as ir.NirError).node).toBe("lif");
        expect((e as ir.NirError).hint).toContain("--profile norse");
      }
    }
  });
  it("rejects labels out of range and a label count that is not the batch", () => {
    const graph = smallRecurrentGraph(rng(1));
    const input = spikeInput(rng(2), [5, 2, 5], 0.5);
    expect(() => gradients(graph, { input, labels: [0, 9] }, { dt: 1e-3 })).toThrow(/label 9 of item 1/);
    expect(() => gradients(graph, { input, labels: [0] }, { dt: 1e-3 })).toThrow(/1 labels for a batch of 2/);
  });
});
