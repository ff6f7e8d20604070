/** Which datasets the reference writes uncompressed: checked against the corpus layouts. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Flatten, Input, Linear, NIRGraph, PRIMITIVES, fromList, isTuple, tensor } from "../../src/ir/index.js";
import { refFile } from "../support/index.js";

const layoutOf = (file: string, path: string): string =>
  JSON.parse(readFileSync(file, "utf8")).hdf5.find((e: { path: string }) => e.path === path).layout;

describe("plainFields", () => {
  const file = refFile("conformance", "linear_f64_from_list.expected.json");
  it.skipIf(!file)("from_list(Linear): the auto Output's shape is plain (a tuple), the Input's is an array", () => {
    const g = fromList(Linear({ weight: tensor([[1, 2, 3], [4, 5, 6]]) }));
    const plainOf = (name: string) => PRIMITIVES[g.nodes.get(name)!.type as "Input"].plainFields(g.nodes.get(name) as never);
    expect(plainOf("output").includes("shape")).toBe(layoutOf(file!, "/node/nodes/output/shape") === "contiguous");
    expect(plainOf("input").includes("shape")).toBe(layoutOf(file!, "/node/nodes/input/shape") === "contiguous");
    expect(plainOf("output")).toEqual(["shape"]);
    expect(plainOf("input")).toEqual([]);
  });
  it("a Flatten whose input was inferred from a Linear stores input_type plain; start/end dims are always plain", () => {
    const g = NIRGraph({ nodes: { in: Input({ shape: [3] }), fc: Linear({ weight: tensor([[1, 2, 3], [4, 5, 6]]) }), f: Flatten({ start_dim: 0 }) }, edges: [["in", "fc"], ["fc", "f"]] });
    const f = g.nodes.get("f")!;
    expect(isTuple(f.input_type.input)).toBe(true);
    expect(PRIMITIVES.Flatten.plainFields(f as never)).toEqual(["input_type", "start_dim", "end_dim"]);
    expect(PRIMITIVES.Flatten.plainFields(Flatten({ input_type: [2, 3], start_dim: 0 }))).toEqual(["start_dim", "end_dim"]);
  });
  it("test_read_without_type_check (IR half): from_list(Linear 2×2, Linear 1×1) is refused with type checking only", () => {
    const mk = (typeCheck: boolean) => fromList(Linear({ weight: [[1, 2], [3, 4]] }), Linear({ weight: [[1]] }), { typeCheck });
    expect(() => mk(true)).toThrowError("Type inference error: type mismatch: linear.output: [[2]] -> linear_1.input: [[1]]");
    expect(mk(false).nodes.size).toBe(4);
  });
});
