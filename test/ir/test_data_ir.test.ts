/** Twins of the reference's tests/test_data_ir.py (data IR records, conversions, checkNodes). */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CubaLIF, EventData, Input, Linear, NIRGraph, NIRGraphData, NIRNodeData, NirError, Output, TimeGriddedData, ValuedEventData,
  checkNodes, nNeurons, tMax, toEvents, toTimeGridded, type Tensor,
} from "../../src/ir/index.js";
import { rand, seed, values } from "./helpers.js";

beforeEach(() => seed(3));

/** numpy randint(0, 2, size).astype(bool). */
function randomSpikes(...shape: number[]): Tensor {
  const u = rand(...shape);
  return { dtype: "bool", shape, data: Uint8Array.from(u.data, (x) => (x < 0.5 ? 1 : 0)) };
}
function randint(hi: number, ...shape: number[]): Tensor {
  const u = rand(...shape);
  return { dtype: "int64", shape, data: BigInt64Array.from(u.data, (x) => BigInt(Math.floor(x * hi))) };
}
function sortedRows(t: Tensor<"float64">): Tensor<"float64"> {
  const [r, c] = t.shape;
  const out = new Float64Array(t.data);
  for (let i = 0; i < r; i++) out.subarray(i * c, (i + 1) * c).sort();
  return { dtype: "float64", shape: t.shape, data: out };
}

describe("test_data_ir.py twins", () => {
  it("test_generate_time_gridded_data: nesting keeps data and dt", () => {
    const spikes = randomSpikes(10, 10, 10);
    const graph = NIRGraphData({ node: NIRNodeData({ spikes: TimeGriddedData(spikes, 0.1) }) });
    const obs = (graph.nodes.node as NIRNodeData).observables.spikes as TimeGriddedData;
    expect(values(obs.data)).toEqual(values(spikes));
    expect(obs.dt).toBe(0.1);
    expect(tMax(obs)).toBeCloseTo(10 * 0.1, 12);
  });

  it("test_generate_event_data: keeps idx, time, n_neurons, t_max", () => {
    const idx = randint(10, 10, 20);
    const time = sortedRows(rand(10, 20));
    const graph = NIRGraphData({ node: NIRNodeData({ spikes: EventData({ idx, time, n_neurons: 10, t_max: 1.0 }) }) });
    const obs = (graph.nodes.node as NIRNodeData).observables.spikes as EventData;
    expect(values(obs.idx)).toEqual(values(idx));
    expect(values(obs.time)).toEqual(values(time));
    expect(obs.n_neurons).toBe(10);
    expect(obs.t_max).toBe(1.0);
  });

  it("test_generate_valued_event_data: keeps value too", () => {
    const idx = randint(10, 10, 20);
    const time = sortedRows(rand(10, 20));
    const value = rand(10, 20);
    const graph = NIRGraphData({ node: NIRNodeData({ current: ValuedEventData({ idx, time, n_neurons: 10, t_max: 1.0, value }) }) });
    const obs = (graph.nodes.node as NIRNodeData).observables.current as ValuedEventData;
    expect(values(obs.idx)).toEqual(values(idx));
    expect(values(obs.time)).toEqual(values(time));
    expect(values(obs.value)).toEqual(values(value));
    expect(obs.n_neurons).toBe(10);
    expect(obs.t_max).toBe(1.0);
  });

  it("test_binary_conversion: bool grid → events (100 per sample, shift 0 and dt/2) → the same grid", () => {
    for (const shift of [0, 0.5 * 0.1]) {
      const spikes = randomSpikes(10, 10, 10);
      const g1 = TimeGriddedData(spikes, 0.1);
      const ev = toEvents(g1, 100, shift);
      expect(ev.idx.shape).toEqual([10, 100]);
      expect(ev.idx.dtype).toBe("int64");
      expect(ev.time.dtype).toBe("float64");
      const g2 = toTimeGridded(ev, 0.1);
      expect(g2.data.dtype).toBe("bool");
      expect(g2.data.shape).toEqual([10, 10, 10]);
      expect(values(g2.data)).toEqual(values(g1.data));
      expect(g2.dt).toBe(g1.dt);
    }
  });

  it("test_valued_conversion: the exact grid of nir-spec §4.2", () => {
    const ev = ValuedEventData({ idx: [[0, 0, 1, 1]], time: [[0.05, 0.15, 0.1, 0.2]], value: [[1, 4, 2, 3]], n_neurons: 2, t_max: 0.3 });
    const g = toTimeGridded(ev, 0.01);
    const expected = new Float64Array(1 * 30 * 2);
    expected[5 * 2 + 0] = 1;
    expected[10 * 2 + 1] = 2;
    expected[15 * 2 + 0] = 4;
    expected[20 * 2 + 1] = 3;
    expect(g.data.shape).toEqual([1, Math.trunc(0.3 / 0.01), 2]);
    expect(values(g.data)).toEqual(Array.from(expected));
  });

  it("test_check_nodes: CubaLIF graph with data for lif1 (gridded, 10) and lif2 (events, 5) passes", () => {
    const cuba = (n: number) => CubaLIF({
      tau_mem: new Array(n).fill(0.02), tau_syn: new Array(n).fill(0.005), r: new Array(n).fill(1), v_leak: new Array(n).fill(0.1),
      v_reset: new Array(n).fill(0), v_threshold: new Array(n).fill(1),
    });
    const graph = NIRGraph({
      nodes: { input: Input({ shape: [5] }), linear1: Linear({ weight: rand(10, 5) }), lif1: cuba(10), linear2: Linear({ weight: rand(5, 10) }), lif2: cuba(5), output: Output({ shape: [5] }) },
      edges: [["input", "linear1"], ["linear1", "lif1"], ["lif1", "linear2"], ["linear2", "lif2"], ["lif2", "output"]],
    });
    const time = rand(3, 5);
    const data = NIRGraphData({
      lif1: NIRNodeData({ spikes: TimeGriddedData(randomSpikes(4, 20, 10), 0.001) }),
      lif2: NIRNodeData({ spikes: EventData({ idx: randint(5, 3, 5), time: { ...time, data: time.data.map((x) => x * 0.1) }, n_neurons: 5, t_max: 0.1 }) }),
    });
    expect(() => checkNodes(data, graph)).not.toThrow();
    expect(nNeurons((data.nodes.lif1 as NIRNodeData).observables.spikes)).toBe(10);
  });
});

describe("data IR errors carry the reference's wording", () => {
  const codeOf = (f: () => unknown) => { try { f(); } catch (e) { return [(e as NirError).code, (e as NirError).message] as const; } return null; };
  it("refuses data that is not 3-D", () => {
    const r = codeOf(() => TimeGriddedData([[1, 2]], 0.1));
    expect(r?.[0]).toBe("ir.invalid_value");
    expect(r?.[1]).toContain("Data must be of shape (n_samples, n_time_steps, n_neurons)and of type np.ndarray");
  });
  it("refuses idx/time of different shapes, and value of another shape", () => {
    expect(codeOf(() => EventData({ idx: [[1, 2]], time: [[0.1]], n_neurons: 3, t_max: 1 }))?.[1]).toContain("idx and time must have the same shape");
    expect(codeOf(() => ValuedEventData({ idx: [[1]], time: [[0.1]], value: [[1, 2]], n_neurons: 3, t_max: 1 }))?.[1]).toContain("idx, time and value must have the same shape");
  });
  it("refuses float grids and shifts outside [0, dt) in toEvents", () => {
    expect(codeOf(() => toEvents(TimeGriddedData([[[0.5]]], 0.1), 3))?.[1]).toContain("Data must be boolean to convert to EventData.");
    const g = TimeGriddedData({ dtype: "bool", shape: [1, 1, 1], data: Uint8Array.of(1) }, 0.1);
    expect(codeOf(() => toEvents(g, 3, 0.1))?.[1]).toContain("time_shift must be in interval [0, dt)");
  });
  it("checkNodes names a missing node, a non-graph for graph data, and mismatched observables", () => {
    const graph = NIRGraph({ nodes: { input: Input({ shape: [2] }), output: Output({ shape: [2] }) }, edges: [["input", "output"]] });
    const ev = (n: number) => NIRNodeData({ s: EventData({ idx: [[0]], time: [[0.0]], n_neurons: n, t_max: 1 }) });
    expect(codeOf(() => checkNodes(NIRGraphData({ ghost: ev(2) }), graph))).toEqual(["ir.missing_node", expect.stringContaining("Node ghost not found in the NIRGraph")]);
    expect(codeOf(() => checkNodes(NIRGraphData({ input: NIRGraphData({}) }), graph))?.[1]).toContain("Node input is not a NIRGraph in the NIRGraph");
    expect(codeOf(() => checkNodes(NIRGraphData({ output: ev(3) }), graph))).toEqual(["ir.shape_mismatch", expect.stringContaining("Observables for node output do not match the NIRNode")]);
    expect(() => checkNodes(NIRGraphData({ output: ev(2) }), graph)).not.toThrow();
  });
});
