/**
 * Twins of the reference's tests/test_architectures.py: the structure and inference part of
 * each graph, plus the dict half of `factory_test_graph` (graph → dict → graph equivalent). The
 * write/read half lives in test/io.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  Affine, Delay, LIF, NIRGraph, PRIMITIVES, fromList, graphFromDict, nodeToDict, tensor,
  type NIRGraph as Graph, type NIRNode,
} from "../../src/ir/index.js";
import { mockAffine, mockInput, mockIntegrator, mockOutput, seed, values } from "./helpers.js";

beforeEach(() => seed(11));

/** The reference's recursive equivalence: same node names/types/params/types, same edges in order. */
function expectEquivalent(a: NIRNode, b: NIRNode, path = "root"): void {
  expect(b.type, path).toBe(a.type);
  expect(b.input_type, path).toEqual(a.input_type);
  expect(b.output_type, path).toEqual(a.output_type);
  if (a.type === "NIRGraph") {
    const gb = b as Graph;
    expect([...gb.nodes.keys()], path).toEqual([...a.nodes.keys()]);
    for (const [k, n] of a.nodes) expectEquivalent(n, gb.nodes.get(k)!, `${path}/${k}`);
    expect(gb.edges, path).toEqual(a.edges);
    return;
  }
  const fa = PRIMITIVES[a.type].toFields(a as never) as Record<string, unknown>;
  const fb = PRIMITIVES[b.type as typeof a.type].toFields(b as never) as Record<string, unknown>;
  expect(Object.keys(fb), path).toEqual(Object.keys(fa));
  for (const k of Object.keys(fa)) {
    const x = fa[k], y = fb[k];
    if (typeof x === "string") expect(y, `${path}.${k}`).toBe(x);
    else {
      expect((y as { dtype: string }).dtype, `${path}.${k}`).toBe((x as { dtype: string }).dtype);
      expect((y as { shape: number[] }).shape, `${path}.${k}`).toEqual((x as { shape: number[] }).shape);
      expect(values(y as never), `${path}.${k}`).toEqual(values(x as never));
    }
  }
}

function factoryTestGraph(g: Graph): void {
  expectEquivalent(g, graphFromDict(nodeToDict(g)));
}

const intLIF = (tau: number[], vth: number[]) =>
  LIF({
    tau: tensor(tau, "int64"), r: tensor(tau.map(() => 1), "int64"), v_leak: tensor(tau.map(() => 0), "int64"),
    v_reset: tensor(tau.map(() => 0), "int64"), v_threshold: tensor(vth, "int64"),
  });

describe("test_architectures.py twins", () => {
  it("test_sequential: from_list(Affine 2→3, Delay, LIF, Affine 3→2) has output type [2]", () => {
    const g = fromList(mockAffine(2, 3), Delay({ delay: [0.5, 0.1, 0.2] }), intLIF([10, 20, 30], [1, 2, 3]), mockAffine(3, 2));
    expect(g.output_type.output).toEqual([2]);
    expect(g.input_type).toEqual({ input: [2] });
    expect([...g.nodes.keys()]).toEqual(["input", "affine", "delay", "lif", "affine_1", "output"]);
    factoryTestGraph(g);
  });

  it("test_recurrent_on_first_node: Input→Affine⇄I→Output needs no auto nodes", () => {
    const g = NIRGraph({
      nodes: { input: mockInput(2), affine: mockAffine(2, 2), integrator: mockIntegrator(2), output: mockOutput(2) },
      edges: [["input", "affine"], ["affine", "integrator"], ["integrator", "affine"], ["integrator", "output"]],
    });
    expect(g.nodes.size).toBe(4);
    expect(g.edges.length).toBe(4);
    factoryTestGraph(g);
  });

  it("test_recurrent_on_second_node: Affine1→Affine2⇄I→Affine3 gets input_affine1 and output_affine3", () => {
    const g = NIRGraph({
      nodes: { affine1: mockAffine(2, 2), affine2: mockAffine(2, 2), integrator: mockIntegrator(2), affine3: mockAffine(2, 2) },
      edges: [["affine1", "affine2"], ["affine2", "integrator"], ["integrator", "affine2"], ["integrator", "affine3"]],
    });
    expect([...g.nodes.keys()].slice(4)).toEqual(["input_affine1", "output_affine3"]);
    expect(g.edges.slice(4)).toEqual([["input_affine1", "affine1"], ["affine3", "output_affine3"]]);
    expect(g.input_type).toEqual({ input_affine1: [2] });
    expect(g.output_type).toEqual({ output_affine3: [2] });
    factoryTestGraph(g);
  });

  function branch1(out: number) {
    return fromList(mockAffine(2, 3), Delay({ delay: [0.5, 0.1, 0.2] }), intLIF([10, 20, 30], [1, 2, 3]), mockAffine(3, out));
  }
  function branch2(out: number) {
    return fromList(mockAffine(2, 2), intLIF([10, 20], [1, 2]), mockAffine(2, out));
  }

  it("test_two_independent_branches: each subgraph gets its own auto Input and Output", () => {
    const g = NIRGraph({ nodes: { branch_1: branch1(2), branch_2: branch2(2) }, edges: [] });
    expect([...g.nodes.keys()]).toEqual(["branch_1", "branch_2", "input_branch_1", "input_branch_2", "output_branch_1", "output_branch_2"]);
    expect(g.edges).toEqual([
      ["input_branch_1", "branch_1"], ["input_branch_2", "branch_2"], ["branch_1", "output_branch_1"], ["branch_2", "output_branch_2"],
    ]);
    expect(g.input_type).toEqual({ input_branch_1: [2], input_branch_2: [2] });
    expect(g.output_type).toEqual({ output_branch_1: [2], output_branch_2: [2] });
    factoryTestGraph(g);
  });

  it("test_two_independent_branches_merging: two subgraphs feed one LIF (summed)", () => {
    const g = NIRGraph({
      nodes: { branch_1: branch1(3), branch_2: branch2(3), junction: intLIF([5, 2, 1], [1, 1, 1]) },
      edges: [["branch_1", "junction"], ["branch_2", "junction"]],
    });
    expect([...g.nodes.keys()].slice(3)).toEqual(["input_branch_1", "input_branch_2", "output_junction"]);
    expect(g.output_type).toEqual({ output_junction: [3] });
    factoryTestGraph(g);
  });

  it("test_merge_and_split_single_output: subgraph fan-out into two subgraphs merged by an Affine", () => {
    const preSplit = fromList(mockAffine(2, 3), intLIF([10, 20, 30], [1, 2, 3]));
    const b1 = fromList(mockAffine(3, 2), intLIF([10, 20], [1, 2]));
    const b2 = fromList([mockAffine(3, 2), intLIF([15, 5], [1, 1])]);
    const junction = Affine({ weight: tensor([[2, 0], [1, 3], [4, 1]], "int64"), bias: tensor([0, 1], "int64") });
    const g = NIRGraph({
      nodes: { pre_split: preSplit, branch_1: b1, branch_2: b2, junction },
      edges: [["pre_split", "branch_1"], ["pre_split", "branch_2"], ["branch_1", "junction"], ["branch_2", "junction"]],
    });
    expect(junction.input_type).toEqual({ input: [2] });
    expect(g.input_type).toEqual({ input_pre_split: [2] });
    expect(g.output_type).toEqual({ output_junction: [3] });
    factoryTestGraph(g);
  });

  it("test_merge_and_split_different_output_type: the same with sizes 3→3 and a 2→2 junction", () => {
    const preSplit = fromList([mockAffine(3, 3), intLIF([10, 20, 30], [1, 2, 3])]);
    const b1 = fromList([mockAffine(3, 2), intLIF([10, 20], [1, 2])]);
    const b2 = fromList([mockAffine(3, 2), intLIF([15, 5], [1, 1])]);
    const g = NIRGraph({
      nodes: { pre_split: preSplit, branch_1: b1, branch_2: b2, junction: mockAffine(2, 2) },
      edges: [["pre_split", "branch_1"], ["pre_split", "branch_2"], ["branch_1", "junction"], ["branch_2", "junction"]],
    });
    expect(g.input_type).toEqual({ input_pre_split: [3] });
    expect(g.output_type).toEqual({ output_junction: [2] });
    factoryTestGraph(g);
  });

  it("test_residual: a→b→c→d→e with skip a→e, e→f", () => {
    const g = NIRGraph({
      nodes: {
        a: mockAffine(2, 2), b: intLIF([10, 20], [1, 2]), c: mockAffine(2, 2), d: intLIF([10, 20], [1, 2]),
        e: mockAffine(2, 2), f: intLIF([15, 5], [1, 1]),
      },
      edges: [["a", "b"], ["b", "c"], ["c", "d"], ["d", "e"], ["a", "e"], ["e", "f"]],
    });
    expect([...g.nodes.keys()].slice(6)).toEqual(["input_a", "output_f"]);
    factoryTestGraph(g);
  });

  it("test_complex: a DAG with fan-out/fan-in and a (1,3) bias", () => {
    const T = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));
    const g = NIRGraph({
      nodes: {
        a: Affine({ weight: tensor([[1], [2], [3]], "int64"), bias: tensor([[0, 0, 0]], "int64") }),
        b: intLIF([10, 20, 30], [1, 2, 3]),
        c: intLIF([5, 20, 1], [1, 1, 1]),
        d: Affine({ weight: tensor(T([[1, 3], [2, 3], [1, 4]]), "int64"), bias: tensor([0, 0], "int64") }),
        e: Affine({ weight: tensor(T([[1, 3], [2, 3], [1, 4]]), "int64"), bias: tensor([0, 0], "int64") }),
        f: Affine({ weight: tensor([[1, 3], [1, 4]], "int64"), bias: tensor([0, 0], "int64") }),
      },
      edges: [["a", "b"], ["a", "c"], ["b", "d"], ["c", "d"], ["c", "e"], ["d", "f"], ["e", "f"]],
    });
    expect(g.input_type).toEqual({ input_a: [1] });
    expect(g.output_type).toEqual({ output_f: [2] });
    factoryTestGraph(g);
  });
});
