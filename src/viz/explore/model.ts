/**
 * The live explorer's model, shared by Node (`nir.explore`, the static fallback, tests) and the
 * page (the bundled module): what the explorer controls, the graph as JSON, the input it builds,
 * and one run of the simulator for one setting. Pure: no DOM, no Node APIs.
 */
import { NirError } from "../../ir/errors.js";
import { graphFromDict, nodeToDict, type NodeDict } from "../../ir/dict.js";
import { allocate, toFloat64, type DType, type Tensor } from "../../ir/tensor.js";
import { NEURON_TYPES, SPIKING_TYPES, type NIRGraph } from "../../ir/types.js";
import { compile } from "../../sim/compile.js";
import { PROFILES, type ProfileName, type ResetMode } from "../../sim/profiles.js";
import { seededRng } from "../../data/random.js";

/** The neuron fields the explorer offers when they hold one value for all of a node's neurons. */
export const UNIFORM_FIELDS = ["tau", "tau_mem", "tau_syn", "v_threshold", "r", "v_leak", "v_reset", "w_in"] as const;

/** Fields that are times: shown in ms, stored in s. */
export const TIME_FIELDS: ReadonlySet<string> = new Set(["tau", "tau_mem", "tau_syn"]);

/** A value control: one number replaces every neuron's value of `node.field` (seconds for times). */
export interface ParamControl {
  node: string;
  field: string;
  /** The graph's own value. */
  value: number;
}

/** A scale control: `node.field` (a whole tensor, e.g. recurrent weights) multiplied by a factor. */
export interface ScaleControl {
  node: string;
  field: string;
}

/** How the input is made: a constant current, Poisson spikes, a regular spike train, or spikes at given times. */
export type InputKind = "current" | "poisson" | "regular" | "spikes";

/** The input settings (all channels alike except for `times`). */
export interface InputSettings {
  kind: InputKind;
  /** Value of the current, or of each input spike (one step long). */
  amplitude: number;
  /** Spikes per second (poisson, regular). */
  rate: number;
  /** Seed of the Poisson generator (mulberry32, data/random.ts). */
  seed: number;
  /** Spike times in seconds, one list per input channel (kind "spikes"). */
  times: number[][];
}

/** One setting of the explorer: what a page state or a pinned run is. */
export interface ExploreSettings {
  dt: number;
  profile: ProfileName;
  /** "profile": the profile's own reset. */
  reset: ResetMode | "profile";
  /** One value per {@link ExploreConfig.params} entry (seconds for times). */
  values: number[];
  /** One factor per {@link ExploreConfig.scales} entry. */
  scales: number[];
  input: InputSettings;
}

/** A tensor as JSON (int64 values as numbers). */
export interface JsonTensor {
  dtype: DType;
  shape: number[];
  data: number[];
}

/** Everything the page needs, as JSON: the graph, the controls, and the default setting. */
export interface ExploreConfig {
  title: string;
  /** The graph as the reference's dict, tensors as {@link JsonTensor}. */
  graph: Record<string, unknown>;
  /** Where the graph came from (a .nir path), for "copy as code"; null: the caller's `graph`. */
  source: string | null;
  /** Simulated time in seconds (steps = round(duration / dt)). */
  duration: number;
  /** Input channels (the Input node's size). */
  channels: number;
  params: ParamControl[];
  scales: ScaleControl[];
  /** Neuron nodes whose voltage and spikes are drawn. */
  record: string[];
  /** Their record specs ("node:v", "node:spikes"), made once in Node by `recordSpecs`. */
  recordSpecs: string[];
  /** Names of the output channels: the predicted label is the one with the largest summed output. */
  labels: string[] | null;
  defaults: ExploreSettings;
}

/** What one run shows. */
export interface ExploreRun {
  steps: number;
  dt: number;
  /** The input, (steps, channels). */
  input: Float64Array;
  /** Output spikes (or values) per step, (steps, outputs). */
  output: Float64Array;
  outputs: number;
  /** Steps at which some output channel spikes (as `nir.spikeSteps(result.output)`). */
  spikeSteps: number[];
  /** Per output channel: nonzero output steps (spiking output) or summed output. */
  counts: number[];
  /** The label with the largest count, when labels were given. */
  predicted: string | null;
  /** The profile's voltage units (PROFILES[profile].voltageUnits). */
  units: string;
  /** Per recorded node: neurons, v (steps × n) when recorded, spikes (steps × n). */
  nodes: { name: string; n: number; v: Float64Array | null; spikes: Float64Array | null; threshold: number | null }[];
}

/** Encodes a graph as JSON-safe data (typed arrays become number lists). */
export function graphToJson(graph: NIRGraph): Record<string, unknown> {
  const walk = (x: unknown): unknown => {
    if (x && typeof x === "object" && "dtype" in x && "shape" in x && "data" in x) {
      const t = x as Tensor;
      return { dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data as ArrayLike<number | bigint>, Number) } satisfies JsonTensor;
    }
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
    return typeof x === "bigint" ? Number(x) : x;
  };
  return walk(nodeToDict(graph)) as Record<string, unknown>;
}

/** A {@link JsonTensor} as a tensor of its dtype. */
export function tensorFromJson(t: JsonTensor): Tensor {
  const data = allocate(t.dtype, t.data.length);
  const big = data instanceof BigInt64Array;
  for (let i = 0; i < t.data.length; i++) (data as unknown as (number | bigint)[])[i] = big ? BigInt(t.data[i]) : t.data[i];
  return { dtype: t.dtype, shape: [...t.shape], data } as Tensor;
}

/** Decodes {@link graphToJson}. */
export function graphFromJson(json: Record<string, unknown>): NIRGraph {
  const walk = (x: unknown): unknown => {
    if (x && typeof x === "object" && "dtype" in x && "shape" in x && "data" in x) return tensorFromJson(x as JsonTensor);
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
    return x;
  };
  return graphFromDict(walk(json) as NodeDict);
}

const NEURONS: ReadonlySet<string> = new Set(NEURON_TYPES);
const SPIKING: ReadonlySet<string> = new Set(SPIKING_TYPES);

/** The value controls of a graph: every field of {@link UNIFORM_FIELDS} that is uniform across a top-level neuron node. */
export function uniformParams(graph: NIRGraph): ParamControl[] {
  const out: ParamControl[] = [];
  for (const [node, n] of graph.nodes) {
    if (!NEURONS.has(n.type)) continue;
    for (const field of UNIFORM_FIELDS) {
      const t = (n as unknown as Record<string, Tensor | undefined>)[field];
      if (!t || !t.data || t.data.length === 0) continue;
      const v = toFloat64(t);
      if (v.every((x) => x === v[0])) out.push({ node, field, value: v[0] });
    }
  }
  return out;
}

/** The record specs for `record`: v of every recorded neuron node, and spikes of the spiking ones. */
export function recordSpecs(graph: NIRGraph, record: string[]): string[] {
  return record.flatMap((name) => {
    const type = graph.nodes.get(name)?.type ?? "";
    return [...(NEURONS.has(type) ? [`${name}:v`] : []), ...(SPIKING.has(type) ? [`${name}:spikes`] : [])];
  });
}

/** The neuron nodes drawn by default: every top-level neuron node. */
export function neuronNodes(graph: NIRGraph): string[] {
  return [...graph.nodes].filter(([, n]) => NEURONS.has(n.type)).map(([k]) => k);
}

/** A copy of `t` (same dtype and shape) with every value replaced by `f(value)`. */
function mapTensor(t: Tensor, f: (x: number) => number): Tensor {
  const src = toFloat64(t);
  const data = allocate(t.dtype, src.length);
  for (let i = 0; i < src.length; i++) (data as Float64Array)[i] = f(src[i]);
  return { dtype: t.dtype, shape: [...t.shape], data } as Tensor;
}

/** Per node and field: a value for every neuron (`set`) or a factor for the whole tensor (`scale`). */
export interface ParameterEdits {
  set?: Record<string, Record<string, number>>;
  scale?: Record<string, Record<string, number>>;
}

/**
 * A copy of `graph` whose top-level node fields are replaced (`set`: every element gets the
 * value, in the tensor's own dtype) or multiplied (`scale`); what "copy as code" calls.
 */
export function withParameters(graph: NIRGraph, edits: ParameterEdits): NIRGraph {
  const params: ParamControl[] = [], values: number[] = [], scales: ScaleControl[] = [], factors: number[] = [];
  for (const [node, fields] of Object.entries(edits.set ?? {})) {
    for (const [field, v] of Object.entries(fields)) {
      params.push({ node, field, value: v });
      values.push(v);
    }
  }
  for (const [node, fields] of Object.entries(edits.scale ?? {})) {
    for (const [field, f] of Object.entries(fields)) {
      scales.push({ node, field });
      factors.push(f);
    }
  }
  return applySettings(graph, { params, scales }, { values, scales: factors });
}

/** The graph with the setting's values and scales applied (a new graph; `graph` is not changed). */
export function applySettings(graph: NIRGraph, cfg: Pick<ExploreConfig, "params" | "scales">, s: Pick<ExploreSettings, "values" | "scales">): NIRGraph {
  const nodes = new Map(graph.nodes);
  const edit = (node: string, field: string, f: (x: number) => number): void => {
    const n = nodes.get(node) as unknown as Record<string, unknown> | undefined;
    const t = n?.[field] as Tensor | undefined;
    if (!n || !t || !t.data) throw new NirError("viz.invalid", `the graph has no field ${field} on node "${node}"`, { node, field, hint: "name a top-level node and one of its tensor fields" });
    nodes.set(node, { ...n, [field]: mapTensor(t, f) } as never);
  };
  cfg.params.forEach((p, k) => edit(p.node, p.field, () => s.values[k]));
  cfg.scales.forEach((p, k) => {
    if (s.scales[k] !== 1) edit(p.node, p.field, (x) => x * s.scales[k]);
  });
  return { ...graph, nodes };
}

/**
 * The input tensor, shape (steps, channels), float64. current: every value = amplitude.
 * poisson: each step of each channel spikes with probability rate·dt (seeded, channel-major per
 * step). regular: spikes at times k/rate (k = 1, 2, …) on every channel. spikes: the given
 * times. A spike at time t lands on step round(t/dt) with value amplitude.
 */
export function explorerInput(input: InputSettings, dt: number, duration: number, channels: number): Tensor {
  const T = Math.round(duration / dt);
  const data = new Float64Array(T * channels);
  const put = (t: number, c: number): void => {
    const step = Math.round(t / dt);
    if (step >= 0 && step < T) data[step * channels + c] = input.amplitude;
  };
  if (input.kind === "current") data.fill(input.amplitude);
  else if (input.kind === "poisson") {
    const rng = seededRng(input.seed);
    const p = input.rate * dt;
    for (let i = 0; i < data.length; i++) if (rng.next() < p) data[i] = input.amplitude;
  } else if (input.kind === "regular") {
    if (input.rate > 0) for (let k = 1; k / input.rate < duration; k++) for (let c = 0; c < channels; c++) put(k / input.rate, c);
  } else {
    input.times.forEach((ts, c) => {
      if (c < channels) for (const t of ts) put(t, c);
    });
  }
  return { dtype: "float64", shape: [T, channels], data };
}

/** Simulates one setting (the same `compile(...).run(...)` that `nir.simulate` does). */
export function runSetting(graph: NIRGraph, cfg: ExploreConfig, s: ExploreSettings): ExploreRun {
  const g = applySettings(graph, cfg, s);
  const x = explorerInput(s.input, s.dt, cfg.duration, cfg.channels);
  const record = cfg.recordSpecs;
  const res = compile(g, { dt: s.dt, profile: s.profile, reset: s.reset === "profile" ? undefined : s.reset }).run(x, { record });
  const steps = x.shape[0];
  const output = toFloat64(res.output);
  const outputs = output.length / Math.max(1, steps);
  const spikeSteps: number[] = [];
  const counts = new Array<number>(outputs).fill(0);
  const spiking = [...outputSources(g)].some((t) => SPIKING.has(t));
  for (let t = 0; t < steps; t++) {
    let any = false;
    for (let c = 0; c < outputs; c++) {
      const y = output[t * outputs + c];
      if (y !== 0) any = true;
      counts[c] += spiking ? Number(y !== 0) : y;
    }
    if (any && spiking) spikeSteps.push(t);
  }
  let best = 0;
  for (let c = 1; c < outputs; c++) if (counts[c] > counts[best]) best = c;
  const nodes = cfg.record.map((name) => {
    const v = res.records[`${name}.v`], sp = res.records[`${name}.spikes`];
    const th = (g.nodes.get(name) as unknown as Record<string, Tensor | undefined>)?.v_threshold;
    const n = (v ?? sp) ? (v ?? sp)!.data.length / steps : 0;
    return { name, n, v: v ? toFloat64(v) : null, spikes: sp ? toFloat64(sp) : null, threshold: th ? toFloat64(th)[0] : null };
  });
  return { steps, dt: s.dt, units: PROFILES[s.profile].voltageUnits, input: x.data as Float64Array, output, outputs, spikeSteps, counts, predicted: cfg.labels ? (cfg.labels[best] ?? String(best)) : null, nodes };
}

/** Types of the nodes feeding the graph's Output nodes. */
function outputSources(g: NIRGraph): Set<string> {
  const outs = new Set([...g.nodes].filter(([, n]) => n.type === "Output").map(([k]) => k));
  return new Set(g.edges.filter(([, b]) => outs.has(b)).map(([a]) => g.nodes.get(a)?.type ?? ""));
}
