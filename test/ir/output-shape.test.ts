// The per-node shape rule a simulator runs with (ir/inference.ts outputShapeFor): one rule per
// type tag in the registry, PyTorch's true shapes for convolutions.
import { describe, expect, it } from "vitest";
import * as ir from "../../src/ir/index.js";

const zeros = (shape: number[]): ir.Tensor => ({ dtype: "float64", shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) });
/** PyTorch's conv output size, floor((n + 2p − d(k − 1) − 1)/s + 1). */
const torchSize = (n: number, k: number, s: number, p: number, d: number): number => Math.floor((n + 2 * p - d * (k - 1) - 1) / s + 1);

describe("outputShapeFor", () => {
  it("gives a non-square Conv2d its per-dimension PyTorch output size, with C_in = weight.shape[1]·groups", () => {
    const conv = ir.Conv2d({ weight: zeros([6, 2, 3, 5]), stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 });
    const out = ir.outputShapeFor(conv, [4, 17, 20]);
    expect(out).toEqual([6, torchSize(17, 3, 2, 1, 1), torchSize(20, 5, 1, 2, 2)]);
    expect(() => ir.outputShapeFor(conv, [2, 17, 20], { node: "c" })).toThrow(expect.objectContaining({ code: "ir.shape_mismatch", node: "c", field: "weight" }));
  });

  it("gives a Conv1d (C_out, L_out) and refuses an empty output", () => {
    const conv = ir.Conv1d({ weight: zeros([3, 1, 4]), stride: 2 });
    expect(ir.outputShapeFor(conv, [1, 11])).toEqual([3, torchSize(11, 4, 2, 0, 1)]);
    expect(() => ir.outputShapeFor(conv, [1, 3])).toThrow(expect.objectContaining({ code: "ir.shape_mismatch" }));
  });

  it("pools per channel and flattens as the reference's calc_flatten_output", () => {
    const pool = ir.SumPool2d({ kernel_size: [2, 2], stride: [2, 2] });
    expect(ir.outputShapeFor(pool, [4, 9, 8])).toEqual([4, torchSize(9, 2, 2, 0, 1), torchSize(8, 2, 2, 0, 1)]);
    const flat = ir.Flatten({ start_dim: 0, end_dim: -1 });
    expect(ir.outputShapeFor(flat, [4, 4, 4])).toEqual([4 * 4 * 4]);
  });

  it("lets an Affine take its input as [1, in] (the same flat values) and refuses another last dim", () => {
    const affine = ir.Affine({ weight: zeros([5, 3]), bias: zeros([5]) });
    expect(ir.outputShapeFor(affine, [3])).toEqual([5]);
    expect(ir.outputShapeFor(affine, [1, 3])).toEqual([5]);
    expect(() => ir.outputShapeFor(affine, [3, 1])).toThrow(expect.objectContaining({ code: "ir.shape_mismatch" }));
  });

  it("keeps a neuron's parameter shape for any input with as many elements", () => {
    const lif = ir.LIF({ tau: zeros([2, 3]), r: zeros([2, 3]), v_leak: zeros([2, 3]), v_threshold: zeros([2, 3]) });
    expect(ir.parameterShape(lif)).toEqual([2, 3]);
    expect(ir.outputShapeFor(lif, [6])).toEqual([2, 3]);
    expect(() => ir.outputShapeFor(lif, [5], { node: "lif" })).toThrow(expect.objectContaining({ code: "ir.shape_mismatch", node: "lif" }));
    expect(ir.parameterShape(ir.Affine({ weight: zeros([5, 3]), bias: zeros([5]) }))).toBeNull();
  });
});
