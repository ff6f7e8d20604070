/**
 * The NIR data IR (reference `nir.data_ir`, nir-spec §4): recorded or input signals attached to
 * the nodes of a graph, either on a time grid (bool spikes or float values) or as events
 * (index + time, optionally a value). Plain records; conversions are functions.
 */
import { NirError } from "./errors.js";
import { isTensor, tensor, type Tensor, type TensorLike } from "./tensor.js";
import type { NIRGraph } from "./types.js";

/** Samples on a regular time grid: `data` is (n_samples, n_time_steps, n_neurons), bool for spikes or float. */
export interface TimeGriddedData {
  type: "TimeGriddedData";
  data: Tensor;
  dt: number;
}

/** Events: `idx` (n_samples, n_events) neuron indices (−1 = none), `time` same shape (+inf = none). */
export interface EventData {
  type: "EventData";
  idx: Tensor;
  time: Tensor;
  n_neurons: number;
  t_max: number;
}

/** Events that carry a value (`value` has the shape of `idx`). */
export interface ValuedEventData {
  type: "ValuedEventData";
  idx: Tensor;
  time: Tensor;
  n_neurons: number;
  t_max: number;
  value: Tensor;
}

/** One observable of a node. */
export type Observable = TimeGriddedData | EventData | ValuedEventData;

/** The observables (e.g. "spikes", "v") of one node. */
export interface NIRNodeData {
  type: "NIRNodeData";
  observables: Record<string, Observable>;
}

/** Data for the nodes of a graph (subgraphs nest). */
export interface NIRGraphData {
  type: "NIRGraphData";
  nodes: Record<string, NIRNodeData | NIRGraphData>;
}

function asTensor(x: TensorLike, what: string): Tensor {
  try {
    return isTensor(x) ? x : tensor(x);
  } catch (e) {
    throw new NirError("ir.invalid_value", `${what} is not a numeric array: ${(e as Error).message}`, { field: what, cause: e });
  }
}

const sameShape = (a: Tensor, b: Tensor) => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/** Time-gridded data; `data` must have exactly 3 dims (reference ValueError otherwise). */
export function TimeGriddedData(data: TensorLike, dt: number): TimeGriddedData {
  const t = asTensor(data, "data");
  if (t.shape.length !== 3) {
    throw new NirError("ir.invalid_value", `data has shape [${t.shape.join(",")}] (reference: ValueError: Data must be of shape (n_samples, n_time_steps, n_neurons)and of type np.ndarray)`, {
      field: "data",
      hint: "give data as (n_samples, n_time_steps, n_neurons); add a leading axis of 1 for one sample",
    });
  }
  return { type: "TimeGriddedData", data: t, dt };
}

/** Options of {@link EventData}. */
export interface EventDataOptions { idx: TensorLike; time: TensorLike; n_neurons: number; t_max: number }

/** Event data; idx and time must have the same shape. */
export function EventData(opts: EventDataOptions): EventData {
  const idx = asTensor(opts.idx, "idx");
  const time = asTensor(opts.time, "time");
  if (!sameShape(idx, time)) {
    throw new NirError("ir.shape_mismatch", `idx has shape [${idx.shape.join(",")}] but time has [${time.shape.join(",")}] (reference: ValueError: idx and time must have the same shape)`, { field: "time" });
  }
  return { type: "EventData", idx, time, n_neurons: opts.n_neurons, t_max: opts.t_max };
}

/** Options of {@link ValuedEventData}. */
export interface ValuedEventDataOptions extends EventDataOptions { value: TensorLike }

/** Valued event data; idx, time and value must have the same shape. */
export function ValuedEventData(opts: ValuedEventDataOptions): ValuedEventData {
  const idx = asTensor(opts.idx, "idx");
  const time = asTensor(opts.time, "time");
  const value = asTensor(opts.value, "value");
  if (!sameShape(idx, time) || !sameShape(idx, value)) {
    throw new NirError(
      "ir.shape_mismatch",
      `idx [${idx.shape.join(",")}], time [${time.shape.join(",")}] and value [${value.shape.join(",")}] differ (reference: ValueError: idx, time and value must have the same shape)`,
      { field: sameShape(idx, time) ? "value" : "time" },
    );
  }
  return { type: "ValuedEventData", idx, time, n_neurons: opts.n_neurons, t_max: opts.t_max, value };
}

const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Map);

/** The observables of one node (reference TypeError when not a dict). */
export function NIRNodeData(observables: Record<string, Observable>): NIRNodeData {
  if (!isPlainObject(observables)) {
    throw new NirError("ir.invalid_value", "observables must be a dictionary of EventData or TimeGriddedData", { field: "observables" });
  }
  return { type: "NIRNodeData", observables };
}

/** Data for the nodes of a graph (reference TypeError when not a dict). */
export function NIRGraphData(nodes: Record<string, NIRNodeData | NIRGraphData>): NIRGraphData {
  if (!isPlainObject(nodes)) {
    throw new NirError("ir.invalid_value", "nodes must be a dictionary of NIRNodeData or NIRGraphData", { field: "nodes" });
  }
  return { type: "NIRGraphData", nodes };
}

/** Number of samples (first axis). */
export function nSamples(d: Observable): number {
  return d.type === "TimeGriddedData" ? d.data.shape[0] : d.idx.shape[0];
}

/** Number of time steps of gridded data. */
export function nTimeSteps(d: TimeGriddedData): number {
  return d.data.shape[1];
}

/** Number of neurons: data.shape[2] for gridded data, `n_neurons` for events. */
export function nNeurons(d: Observable): number {
  return d.type === "TimeGriddedData" ? d.data.shape[2] : d.n_neurons;
}

/** Recording length: n_time_steps·dt for gridded data, `t_max` for events. */
export function tMax(d: Observable): number {
  return d.type === "TimeGriddedData" ? d.data.shape[1] * d.dt : d.t_max;
}

/**
 * Boolean grid → events (reference `to_event`): per sample, the (step, neuron) spikes in time
 * order (ties by neuron: a stable order), the first `nEvents` kept, time = step·dt + timeShift,
 * padded with idx −1 / time +inf. idx is int64, time float64.
 */
export function toEvents(grid: TimeGriddedData, nEvents: number, timeShift = 0): EventData {
  if (grid.data.dtype !== "bool") {
    throw new NirError("ir.invalid_value", `data has dtype ${grid.data.dtype} (reference: ValueError: Data must be boolean to convert to EventData.)`, {
      field: "data",
      hint: "threshold the values into a bool tensor first",
    });
  }
  if (!(timeShift >= 0 && timeShift < grid.dt)) {
    throw new NirError("ir.invalid_value", `time_shift ${timeShift} is outside [0, dt=${grid.dt}) (reference: ValueError: time_shift must be in interval [0, dt))`, { field: "time_shift" });
  }
  const [S, T, N] = grid.data.shape;
  const idx = new BigInt64Array(S * nEvents).fill(-1n);
  const time = new Float64Array(S * nEvents).fill(Infinity);
  const src = grid.data.data as Uint8Array;
  for (let s = 0; s < S; s++) {
    let k = 0;
    for (let t = 0; t < T && k < nEvents; t++) {
      const row = (s * T + t) * N;
      for (let n = 0; n < N && k < nEvents; n++) {
        if (src[row + n]) {
          idx[s * nEvents + k] = BigInt(n);
          time[s * nEvents + k] = t * grid.dt + timeShift;
          k++;
        }
      }
    }
  }
  return {
    type: "EventData",
    idx: { dtype: "int64", shape: [S, nEvents], data: idx },
    time: { dtype: "float64", shape: [S, nEvents], data: time },
    n_neurons: N,
    t_max: tMax(grid),
  };
}

/**
 * Events → grid (reference `to_time_gridded`): int(t_max/dt) steps; each valid event (idx ≠ −1)
 * lands in step floor(time/dt). EventData gives a bool grid; ValuedEventData a float64 grid with
 * the event's value (last one wins). Events outside the grid are refused.
 */
export function toTimeGridded(ev: EventData | ValuedEventData, dt: number): TimeGriddedData {
  const S = ev.idx.shape[0];
  const E = ev.idx.shape.length > 1 ? ev.idx.shape.slice(1).reduce((a, b) => a * b, 1) : 1;
  const steps = Math.trunc(ev.t_max / dt);
  const N = ev.n_neurons;
  const valued = ev.type === "ValuedEventData";
  const out = valued ? new Float64Array(S * steps * N) : new Uint8Array(S * steps * N);
  for (let s = 0; s < S; s++) {
    for (let e = 0; e < E; e++) {
      const i = s * E + e;
      const n = Number(ev.idx.data[i]);
      if (n === -1) continue;
      const step = Math.floor(Number(ev.time.data[i]) / dt);
      if (!(step >= 0 && step < steps) || !(n >= 0 && n < N)) {
        throw new NirError("ir.invalid_value", `event ${e} of sample ${s} (neuron ${n}, time ${Number(ev.time.data[i])}) falls outside the grid of ${steps} steps × ${N} neurons (reference: IndexError)`, {
          field: "time",
          hint: "check t_max, n_neurons and dt",
        });
      }
      const at = (s * steps + step) * N + n;
      if (valued) (out as Float64Array)[at] = Number((ev as ValuedEventData).value.data[i]);
      else out[at] = 1;
    }
  }
  return { type: "TimeGriddedData", data: { dtype: valued ? "float64" : "bool", shape: [S, steps, N], data: out }, dt };
}

/** Reference `check_observables`: every observable's n_neurons matches the node's output shape. */
export function observablesMatch(data: NIRNodeData, output: number[] | null): boolean {
  if (!output) return false;
  // The reference compares n_neurons elementwise with the output shape (1-D outputs); for other
  // ranks (where it raises) nirkit compares with the element count.
  const size = output.length === 1 ? output[0] : output.reduce((a, b) => a * b, 1);
  return Object.values(data.observables).every((o) => nNeurons(o) === size);
}

/**
 * Reference `check_nodes`: every data key names a node of the graph, graph data pairs with a
 * subgraph, node data with a primitive whose output shape matches. Throws NirError
 * (ir.missing_node / ir.invalid_value / ir.shape_mismatch).
 */
export function checkNodes(data: NIRGraphData, graph: NIRGraph, prefix = ""): void {
  for (const [key, d] of Object.entries(data.nodes)) {
    const node = graph.nodes.get(key);
    if (!node) {
      throw new NirError("ir.missing_node", `Node ${key} not found in the NIRGraph`, { node: prefix + key, hint: `graph nodes are ${[...graph.nodes.keys()].join(", ")}` });
    }
    if (d.type === "NIRGraphData") {
      if (node.type !== "NIRGraph") throw new NirError("ir.invalid_value", `Node ${key} is not a NIRGraph in the NIRGraph`, { node: prefix + key });
      checkNodes(d, node, `${prefix}${key}/`);
    } else if (!observablesMatch(d, node.output_type.output ?? null)) {
      throw new NirError("ir.shape_mismatch", `Observables for node ${key} do not match the NIRNode`, {
        node: prefix + key,
        hint: `its output shape is [${(node.output_type.output ?? []).join(",")}]; every observable needs that many neurons`,
      });
    }
  }
}
