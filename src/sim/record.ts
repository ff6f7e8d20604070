/**
 * Records. One grammar for a record spec, shared by the simulator and the chip emulators (hw/):
 *
 *   NODE          the node's output (for a spiking node: its spikes)   key "NODE.out"
 *   NODE:out      the same, written out                                key "NODE.out"
 *   NODE:spikes   the spikes of a spiking node (IF, LIF, CubaLIF, Threshold)   key "NODE.spikes"
 *   NODE:v        a neuron's membrane potential                        key "NODE.v"
 *   NODE:i        a current-based neuron's synaptic current            key "NODE.i"
 *
 * The node name is everything before the last ":" that names one of these (a name may itself
 * hold ":"). Spikes (and a spiking node's output) are recorded as float32, the rest as float64.
 */
import { NirError } from "../ir/errors.js";
import { sizeOf, type Tensor } from "../ir/tensor.js";
import { SPIKING_TYPES } from "../ir/types.js";
import type { FlatGraph } from "./graph.js";
import type { Runtime } from "./runtime.js";

/** What a record spec asks for. */
export type RecordWhat = "out" | "spikes" | "v" | "i";

/** One parsed record spec: the node, what of it, and the key of its array in the result. */
export interface RecordSpec {
  node: string;
  what: RecordWhat;
  key: string;
}

const WHATS: readonly string[] = ["out", "spikes", "v", "i"];

/** Parses a record spec (grammar above). */
export function parseRecordSpec(spec: string): RecordSpec {
  const k = spec.lastIndexOf(":");
  const what = k > 0 ? spec.slice(k + 1) : "";
  const node = WHATS.includes(what) ? spec.slice(0, k) : spec;
  const w = (WHATS.includes(what) ? what : "out") as RecordWhat;
  return { node, what: w, key: `${node}.${w}` };
}

const SPIKING: ReadonlySet<string> = new Set(SPIKING_TYPES);

/** A record being filled: its source array (one step of one item: `size` values) and its tensor. */
export interface Recorder {
  key: string;
  source: Float64Array;
  size: number;
  out: Tensor;
}

/** The source array of one record in a runtime (a NirError naming the node when the spec does not apply). */
function recordSource(spec: string, r: RecordSpec, rt: Runtime, flat: FlatGraph): Float64Array {
  const fn = flat.nodes.get(r.node);
  const name = r.node;
  if (!fn) throw new NirError("ir.missing_node", `cannot record "${spec}": no node "${name}"`, { node: name, hint: `nodes: ${[...flat.nodes.keys()].join(", ")}` });
  if (r.what === "v" || r.what === "i") {
    const st = rt.neuronStates.get(name);
    if (!st) throw new NirError("sim.unsupported", `cannot record ${r.what}: node is a ${fn.node.type}, not a neuron`, { node: name });
    if (r.what === "i" && fn.node.type !== "CubaLI" && fn.node.type !== "CubaLIF") throw new NirError("sim.unsupported", `cannot record i: ${fn.node.type} has no synaptic current`, { node: name });
    return r.what === "v" ? st.v : st.i;
  }
  if (r.what === "spikes" && !SPIKING.has(fn.node.type)) throw new NirError("sim.unsupported", `cannot record spikes: node is a ${fn.node.type}, which does not spike`, { node: name, hint: `record "${name}" for its output` });
  return rt.ports.get(flat.late?.get(name) ?? name)!.out;
}

/** The recorders of a run of T steps and B items (the first spec is the graph's Output). */
export function makeRecorders(specs: string[], rt: Runtime, flat: FlatGraph, T: number, B: number, batched: boolean): Recorder[] {
  return specs.map((spec) => {
    const r = parseRecordSpec(spec);
    const source = recordSource(spec, r, rt, flat);
    const fn = flat.nodes.get(r.node)!;
    const size = sizeOf(fn.outShape);
    const spiking = (r.what === "spikes" || r.what === "out") && SPIKING.has(fn.node.type);
    const shape = [T, ...(batched ? [B] : []), ...fn.outShape];
    const data = spiking ? new Float32Array(T * B * size) : new Float64Array(T * B * size);
    return { key: r.key, source, size, out: { dtype: spiking ? "float32" : "float64", shape, data } };
  });
}

/**
 * The nodes a set of record specs must keep visible in a runtime: each recorded node, and for a
 * recorded v or i also its conv sources (a conv-fused IF keeps v position-major, so recording
 * it unfuses; an affine-fused IF keeps v as is).
 */
export function recordedNodes(specs: string[], flat: FlatGraph, isConv: (node: string) => boolean): string[] {
  return specs.flatMap((spec) => {
    const r = parseRecordSpec(spec);
    return r.what === "v" || r.what === "i" ? [r.node, ...(flat.nodes.get(r.node)?.sources ?? []).filter(isConv)] : [r.node];
  });
}

/** dst[o … o+n) = src[0 … n) into a float32 record. */
export function copyTo32(dst: Float32Array, o: number, src: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) dst[o + k] = src[k];
}

/** dst[o … o+n) = src[0 … n) into a float64 record. */
export function copyTo64(dst: Float64Array, o: number, src: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) dst[o + k] = src[k];
}

/** Record rows of `steps` steps from the whole-run area (row stride `row`, record at `off`) into a float32 record (row stride `stride`). */
export function rowsTo32(dst: Float32Array, o: number, stride: number, src: Float64Array, off: number, row: number, size: number, steps: number): void {
  for (let s = 0; s < steps; s++) {
    const d = o + s * stride, q = off + s * row;
    for (let k = 0; k < size; k++) dst[d + k] = src[q + k];
  }
}

/** Record rows of `steps` steps from the whole-run area into a float64 record (see rowsTo32). */
export function rowsTo64(dst: Float64Array, o: number, stride: number, src: Float64Array, off: number, row: number, size: number, steps: number): void {
  for (let s = 0; s < steps; s++) {
    const d = o + s * stride, q = off + s * row;
    for (let k = 0; k < size; k++) dst[d + k] = src[q + k];
  }
}
