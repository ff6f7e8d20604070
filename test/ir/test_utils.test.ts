/** Twin of tests/test_utils.py plus the shape rules of nir-spec §1.4–1.6 with their worked examples. */
import { describe, expect, it } from "vitest";
import {
  AvgPool2d, Conv2d, Flatten, Input, Linear, NIRGraph, NirError, Output, SumPool2d, convOutputSize, flattenOutputShape, indexTuple,
  pyShapeListRepr, pyShapeRepr, tensor, typeDivergences,
} from "../../src/ir/index.js";

describe("test_utils.py twin", () => {
  it("test_index_tuple: indexes ints (broadcast), lists and nested arrays", () => {
    expect(indexTuple(1, 0)).toBe(1);
    expect(indexTuple([1, 2], 0)).toBe(1);
    expect(indexTuple([[1, 2], [3, 4]], 1)).toEqual([3, 4]);
    expect(() => indexTuple([1, 2], 2)).toThrowError(NirError);
  });
});

describe("Flatten output rules (nir-spec §1.6 verified examples)", () => {
  const cases: [number[], number, number, number[]][] = [
    [[2, 3, 4], 1, -1, [2, 12]], [[2, 3, 4], -2, -1, [2, 12]], [[2, 3, 4], 0, -2, [6, 4]], [[2, 3, 4], 1, 1, [2, 3, 4]],
    [[2, 3, 4], 0, 2, [24]], [[5], 1, -1, [5, 1]], [[2, 3], 1, 0, [2, 1, 3]], [[1, 64, 64], 0, 0, [1, 64, 64]],
    [[1, 64, 64], 0, 1, [64, 64]], [[1, 64, 64], 1, 2, [1, 4096]],
  ];
  for (const [input, s, e, out] of cases) {
    it(`[${input}] start ${s} end ${e} → [${out}]`, () => {
      expect(flattenOutputShape(input, s, e)).toEqual(out);
      expect(Flatten({ input_type: input, start_dim: s, end_dim: e }).output_type.output).toEqual(out);
    });
  }
  it("a start/end that changes the element count is refused (reference ValueError)", () => {
    // [2,3,4] with start 2, end 0: prefix [2,3], middle prod([]) = 1, suffix [3,4] → 72 ≠ 24 elements
    expect(flattenOutputShape([2, 3, 4], 2, 0)).toEqual([2, 3, 1, 3, 4]);
    let err: NirError | undefined;
    try { Flatten({ input_type: [2, 3, 4], start_dim: 2, end_dim: 0 }); } catch (x) { err = x as NirError; }
    expect(err?.code).toBe("ir.shape_mismatch");
    expect(err?.message).toContain("input and output shape must have same number of elements");
  });
});

describe("conv and pooling shapes (nir-spec §1.4–1.5)", () => {
  const w = (...shape: number[]) => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), undefined, shape);
  it("reference quirk: a 3×5 kernel on 10×10 gives 8×8 (kernel weight.shape[2] for both dims); correct mode gives 8×6", () => {
    expect(Conv2d({ input_shape: [10, 10], weight: w(1, 1, 3, 5) }).output_type.output).toEqual([1, 10 - 3 + 1, 10 - 3 + 1]);
    expect(Conv2d({ input_shape: [10, 10], weight: w(1, 1, 3, 5), inference: "correct" }).output_type.output).toEqual([1, 10 - 3 + 1, 10 - 5 + 1]);
  });
  it("reference quirk: groups ignored for input channels (weight 6×1×3×3, groups 2 → C_in 1; correct 2)", () => {
    const opts = { input_shape: [12, 10], weight: w(6, 1, 3, 3), stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 };
    const ref = Conv2d(opts);
    expect(ref.input_type.input).toEqual([1, 12, 10]);
    // H: floor((12+2-1·2-1)/2+1) = 6 ; W: floor((10+4-2·2-1)/1+1) = 10
    expect(ref.output_type.output).toEqual([6, Math.floor((12 + 2 - 2 - 1) / 2 + 1), Math.floor((10 + 4 - 4 - 1) / 1 + 1)]);
    expect(Conv2d({ ...opts, inference: "correct" }).input_type.input).toEqual([2, 12, 10]);
  });
  it("reference quirk: padding 'same' keeps the size even with stride 2; correct gives ceil(in/stride)", () => {
    expect(Conv2d({ input_shape: [6, 6], weight: w(2, 1, 3, 3), stride: 2, padding: "same" }).output_type.output).toEqual([2, 6, 6]);
    expect(Conv2d({ input_shape: [6, 6], weight: w(2, 1, 3, 3), stride: 2, padding: "same", inference: "correct" }).output_type.output).toEqual([2, 3, 3]);
    expect(convOutputSize([5], "valid", 1, 3, 1)).toEqual([3]);
  });
  it("negative output sizes are returned as is (3×3 input, 5×5 kernel → −1)", () => {
    expect(Conv2d({ input_shape: [3, 3], weight: w(1, 1, 5, 5) }).output_type.output).toEqual([1, -1, -1]);
  });
  it("typeDivergences lists each conv whose reference types are wrong, with the reasons", () => {
    const g = NIRGraph({
      nodes: {
        same: Conv2d({ input_shape: [6, 6], weight: w(2, 1, 3, 3), stride: 2, padding: "same" }),
        grouped: Conv2d({ input_shape: [12, 10], weight: w(6, 1, 3, 3), groups: 2 }),
        rect: Conv2d({ input_shape: [10, 10], weight: w(1, 1, 3, 5) }),
        fine: Conv2d({ input_shape: [10, 10], weight: w(1, 1, 3, 3) }),
      },
      edges: [],
      typeCheck: false,
    });
    const d = typeDivergences(g);
    expect(d.map((x) => [x.node, x.reasons])).toEqual([
      ["same", ["same padding with stride > 1"]], ["grouped", ["groups"]], ["rect", ["non-square kernel"]],
    ]);
    expect(d[0].correct.output).toEqual([2, 3, 3]);
  });
  it("pool examples: [2,10,12] k(2,3) s(2,3) → [2,5,4]; AvgPool p(1,1) → [2,6,4]", () => {
    const mk = (pool: ReturnType<typeof SumPool2d> | ReturnType<typeof AvgPool2d>) =>
      NIRGraph({ nodes: { in: Input({ shape: [2, 10, 12] }), p: pool, out: Output({ shape: null }) }, edges: [["in", "p"], ["p", "out"]] });
    expect(mk(SumPool2d({ kernel_size: [2, 3], stride: [2, 3], padding: [0, 0] })).output_type.out).toEqual([2, 5, 4]);
    expect(mk(AvgPool2d({ kernel_size: [2, 3], stride: [2, 3], padding: [1, 1] })).output_type.out).toEqual([2, 6, 4]);
  });
});

describe("numpy-style shape printing in messages", () => {
  it("prints int arrays with a common width and tuples Python's way", () => {
    expect(pyShapeRepr([1, 5, 5])).toBe("[1 5 5]");
    expect(pyShapeRepr([1, 16])).toBe("[ 1 16]");
    expect(pyShapeListRepr([[3]])).toBe("[[3]]");
    expect(pyShapeRepr(Linear({ weight: [[1, 2]] }).output_type.output)).toBe("(1,)");
  });
});

describe("graph-level inference mode", () => {
  const w = tensor(new Float32Array(6 * 9), undefined, [6, 1, 3, 3]);
  const build = (inference?: "reference" | "correct") =>
    NIRGraph({
      nodes: { in: Input({ shape: [2, 12, 10] }), conv: Conv2d({ input_shape: [12, 10], weight: w, groups: 2 }), out: Output({ shape: null }) },
      edges: [["in", "conv"], ["conv", "out"]],
      inference,
    });
  it("a grouped conv fed 2 channels type-checks in correct mode and is refused in reference mode", () => {
    expect(build("correct").output_type.out).toEqual([6, 10, 8]);
    expect(() => build()).toThrowError("Type inference error: type mismatch: in.output: [[ 2 12 10]] -> conv.input: [[ 1 12 10]]");
  });
});
