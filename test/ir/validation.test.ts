/** Every IR validation error: its code, the node and field it names, and the reference's wording inside. */
import { describe, expect, it } from "vitest";
import {
  Affine, Conv2d, Flatten, Input, LIF, Linear, MAX_ELEMENTS, NIRGraph, NirError, Output, PRIMITIVES, SumPool2d, checkAllocatable, fromList, refuseNaNParameters,
  graphFromDict, nodeFromFields, tensor, type Tensor,
} from "../../src/ir/index.js";

function caught(f: () => unknown): NirError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NirError);
    return e as NirError;
  }
  throw new Error("expected a NirError, nothing was thrown");
}

const f64 = (...v: number[]): Tensor => tensor(v);
const lifFields = (): Record<string, Tensor> => ({ tau: f64(0.01, 0.01, 0.01), r: f64(1, 1, 1), v_leak: f64(0, 0, 0), v_threshold: f64(1, 1, 1) });

describe("fromFields validation (reading a node group)", () => {
  it("an extra dataset → ir.unknown_field naming node and field", () => {
    const e = caught(() => PRIMITIVES.LIF.fromFields({ ...lifFields(), tau_ref: f64(1, 1, 1) }, { file: "x.nir", node: "lif" }));
    expect([e.code, e.file, e.node, e.field]).toEqual(["ir.unknown_field", "x.nir", "lif", "tau_ref"]);
    expect(e.message).toContain("LIF.__init__() got an unexpected keyword argument 'tau_ref'");
  });
  it("a missing required dataset → ir.missing_field with the reference's TypeError text", () => {
    const { tau: _tau, ...rest } = lifFields();
    const e = caught(() => PRIMITIVES.LIF.fromFields(rest, { node: "lif" }));
    expect([e.code, e.node, e.field]).toEqual(["ir.missing_field", "lif", "tau"]);
    expect(e.message).toContain("LIF.__init__() missing 1 required positional argument: 'tau'");
    const two = caught(() => PRIMITIVES.LI.fromFields({ v_leak: f64(0) }, { node: "li" }));
    expect(two.message).toContain("missing 2 required positional arguments: 'tau' and 'r'");
    const io = caught(() => PRIMITIVES.Input.fromFields({}, { node: "in" }));
    expect([io.code, io.field]).toEqual(["ir.missing_field", "shape"]);
    expect(io.message).toContain("KeyError: 'shape'");
    const conv = caught(() => PRIMITIVES.Conv2d.fromFields({ weight: tensor(new Float32Array(9), undefined, [1, 1, 3, 3]), stride: f64(1, 1), padding: f64(0, 0), dilation: f64(1, 1), groups: tensor(1, "int64"), bias: f64(0) }, { node: "c" }));
    expect([conv.code, conv.field]).toEqual(["ir.missing_field", "input_shape"]);
  });
  it("optional fields get the reference defaults (v_reset zeros like v_threshold, w_in ones·1.0 with numpy dtype rules)", () => {
    const lif = PRIMITIVES.LIF.fromFields({ ...lifFields(), v_threshold: tensor(new Float32Array([1, 1, 1])) });
    expect(lif.v_reset.dtype).toBe("float32");
    expect(Array.from(lif.v_reset.data)).toEqual([0, 0, 0]);
    const cuba = PRIMITIVES.CubaLI.fromFields({ tau_syn: f64(1, 1), tau_mem: f64(1, 1), r: f64(1, 1), v_leak: tensor(new Float32Array([0, 0])) });
    expect([cuba.w_in.dtype, Array.from(cuba.w_in.data)]).toEqual(["float32", [1, 1]]);
    const intCuba = PRIMITIVES.CubaLI.fromFields({ tau_syn: f64(1), tau_mem: f64(1), r: f64(1), v_leak: tensor([0], "int64") });
    expect(intCuba.w_in.dtype).toBe("float64");
    const flat = PRIMITIVES.Flatten.fromFields({});
    expect([flat.input_type.input, Number(flat.start_dim.data[0]), Number(flat.end_dim.data[0])]).toEqual([null, 1, -1]);
  });
  it("unequal parameter shapes → ir.shape_mismatch naming the odd field", () => {
    const e = caught(() => PRIMITIVES.LIF.fromFields({ ...lifFields(), tau: f64(1, 1, 1, 1, 1) }, { node: "lif" }));
    expect([e.code, e.node, e.field]).toEqual(["ir.shape_mismatch", "lif", "tau"]);
    expect(e.message).toContain("All parameters must have the same shape");
  });
  it("a padding string other than same/valid → ir.invalid_value with the reference's ValueError text", () => {
    const e = caught(() => Conv2d({ input_shape: [4, 4], weight: tensor(new Float32Array(9), undefined, [1, 1, 3, 3]), padding: "full" }, { node: "conv" }));
    expect([e.code, e.node, e.field]).toEqual(["ir.invalid_value", "conv", "padding"]);
    expect(e.message).toContain("padding must be 'same', 'valid', or int, not full");
  });
  it("a string where numbers are expected → ir.invalid_value", () => {
    const e = caught(() => PRIMITIVES.LIF.fromFields({ ...lifFields(), tau: "fast" }, { node: "lif" }));
    expect([e.code, e.field]).toEqual(["ir.invalid_value", "tau"]);
  });
  it("NaN in a parameter is kept, as the reference keeps it; running the graph → ir.nan naming node and field", () => {
    const fc = PRIMITIVES.Affine.fromFields({ weight: tensor([[1, NaN]]), bias: f64(0) }, { node: "fc" });
    expect((fc.weight.data as Float64Array)[1]).toBeNaN();
    const e = caught(() => refuseNaNParameters(fromList(fc), "simulate"));
    expect([e.code, e.node, e.field]).toEqual(["ir.nan", "affine", "weight"]);
    expect(() => refuseNaNParameters(fromList(PRIMITIVES.Affine.fromFields({ weight: tensor([[1, Infinity]]), bias: f64(0) })), "simulate")).not.toThrow();
  });
  it("an unknown type tag → ir.unknown_type", () => {
    const e = caught(() => nodeFromFields("Foo", {}, { node: "lif" }));
    expect([e.code, e.node, e.field]).toEqual(["ir.unknown_type", "lif", "type"]);
  });
  it("a weight with fewer than 2 dims → ir.invalid_value (reference: Weight must be at least 2D)", () => {
    const e = caught(() => Linear({ weight: [1, 2] }, { node: "fc" }));
    expect([e.code, e.field]).toEqual(["ir.invalid_value", "weight"]);
    expect(e.message).toContain("Weight must be at least 2D");
  });
});

describe("toFields refuses what the reference cannot write or read back", () => {
  it("an Output whose shape is still unknown", () => {
    expect(caught(() => PRIMITIVES.Output.toFields(Output({ shape: null }))).code).toBe("ir.missing_field");
  });
  it("a Conv whose input_shape was never inferred", () => {
    const c = Conv2d({ input_shape: null, weight: tensor(new Float32Array(9), undefined, [1, 1, 3, 3]) });
    const e = caught(() => PRIMITIVES.Conv2d.toFields(c));
    expect([e.code, e.field]).toEqual(["ir.missing_field", "input_shape"]);
  });
  it("a Flatten with unknown input leaves input_type out (readers infer it), never writes None", () => {
    expect(Object.keys(PRIMITIVES.Flatten.toFields(Flatten({ start_dim: 0 })))).toEqual(["start_dim", "end_dim"]);
  });
});

describe("graph validation", () => {
  const aff = () => Affine({ weight: [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]], bias: [0, 0, 0, 0] });
  it("an edge to a missing node → ir.missing_node naming it and the edge", () => {
    const e = caught(() => NIRGraph({ nodes: { input: Input({ shape: [2] }), lif: LIF({ tau: [1, 1], r: [1, 1], v_leak: [0, 0], v_threshold: [1, 1] }) }, edges: [["input", "lif"], ["lif", "ghost"]] }, { file: "g.nir" }));
    expect([e.code, e.file, e.node, e.field]).toEqual(["ir.missing_node", "g.nir", "ghost", "edges"]);
    expect(e.message).toContain("edge lif -> ghost");
    expect(e.message).toContain("KeyError: 'ghost'");
    // without type checking the reference accepts such a graph
    expect(() => NIRGraph({ nodes: { lif: Input({ shape: [2] }) }, edges: [["lif", "ghost"]], typeCheck: false })).not.toThrow();
  });
  it("a type mismatch found by inference → ir.type_mismatch with the reference's 2-D prints", () => {
    const e = caught(() => NIRGraph({ nodes: { input: Input({ shape: [3] }), affine: aff(), output: Output({ shape: [4] }) }, edges: [["input", "affine"], ["affine", "output"]] }));
    expect([e.code, e.node, e.field]).toEqual(["ir.type_mismatch", "affine", "input_type"]);
    expect(e.problem).toBe("Type inference error: type mismatch: input.output: [[3]] -> affine.input: [[5]]");
  });
  it("a mismatch only check_types sees (a back edge) prints tuples the Python way", () => {
    // Linear's output is a tuple in the reference, so check_types prints (3,) for it
    const e = caught(() => NIRGraph({
      nodes: { a: Input({ shape: [2] }), b: Linear({ weight: [[1, 2], [3, 4], [5, 6]] }), c: Linear({ weight: [[1, 2, 3], [1, 2, 3]] }), d: Output({ shape: [3] }) },
      edges: [["a", "b"], ["b", "c"], ["c", "b"], ["b", "d"], ["b", "b"]],
    }));
    expect(e.code).toBe("ir.type_mismatch");
    expect(e.problem).toBe("type mismatch: b.output: (3,) -> b.input: [2]");
  });
  it("a cycle without Input → ir.no_input with the exact reference message", () => {
    const e = caught(() => NIRGraph({ nodes: { a: Linear({ weight: [[1, 0], [0, 1]] }), b: Linear({ weight: [[1, 0], [0, 1]] }) }, edges: [["a", "b"], ["b", "a"]] }));
    expect(e.code).toBe("ir.no_input");
    expect(e.problem).toBe(
      "Failed to start type inference: No input nodes found. This may be due to a cyclic dependency at the graph's input. Please add an `Input` node manually to define an entry point, or disable type checking (`type_check=False`).",
    );
  });
  it("a root without input type → ir.no_input naming the node", () => {
    const e = caught(() => NIRGraph({ nodes: { pool: SumPool2d({ kernel_size: 2, stride: 2 }) }, edges: [] }));
    expect([e.code, e.node]).toEqual(["ir.no_input", "pool"]);
    expect(e.problem).toBe("Root node 'pool' of type SumPool2d is not an Input node and has no defined input_type. Cannot infer graph input.");
    const e2 = caught(() => NIRGraph({ nodes: { in: Input({ shape: null }) }, edges: [] }));
    expect(e2.problem).toBe("Input node 'in' has no defined input_type. Cannot infer graph without input types.");
  });
  it("every node feeding back (no leaf) → ir.no_output", () => {
    const e = caught(() => NIRGraph({ nodes: { in: Input({ shape: [2] }), a: Linear({ weight: [[1, 0], [0, 1]] }) }, edges: [["in", "a"], ["a", "a"], ["a", "in"]] }));
    expect(e.code).toBe("ir.no_output");
    expect(e.problem).toContain("Type inference failed: No output nodes found.");
  });
  it("Flatten changing the element count during inference → ir.shape_mismatch (reference AssertionError)", () => {
    const e = caught(() => NIRGraph({ nodes: { in: Input({ shape: [2, 3, 4] }), f: Flatten({ start_dim: 2, end_dim: 0 }) }, edges: [["in", "f"]] }));
    expect([e.code, e.node]).toEqual(["ir.shape_mismatch", "f"]);
    expect(e.message).toContain("Flatten must not change the number of elements");
  });
  it("errors inside a subgraph name the path", () => {
    const inner = NIRGraph({ nodes: { in: Input({ shape: [3] }), a: aff() }, edges: [["in", "a"]], typeCheck: false });
    const e = caught(() => NIRGraph({ nodes: { input: Input({ shape: [3] }), sub: inner }, edges: [["input", "sub"]] }));
    expect([e.code, e.node]).toEqual(["ir.type_mismatch", "sub/a"]);
  });
  it("a root that is not a graph → ir.root_not_graph", () => {
    const e = caught(() => graphFromDict({ type: "LIF", nodes: {}, ...lifFields() }));
    expect(e.code).toBe("ir.root_not_graph");
  });
});

describe("allocation guard", () => {
  it("refuses absurd or invalid shapes before allocating", () => {
    expect(checkAllocatable([1000, 784])).toBe(784000);
    const big = caught(() => checkAllocatable([1e6, 1e6], { file: "x.nir", node: "fc", field: "weight" }));
    expect([big.code, big.node, big.field]).toEqual(["ir.too_large", "fc", "weight"]);
    expect(caught(() => checkAllocatable([-1, 3])).code).toBe("ir.too_large");
    expect(caught(() => checkAllocatable([MAX_ELEMENTS + 1])).code).toBe("ir.too_large");
  });
});
