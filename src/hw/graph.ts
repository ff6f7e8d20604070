/**
 * Small read-only helpers the chip mappers share: neighbours, parameter values as numbers,
 * per-layer uniformity, time-constant units.
 */
import { NirError } from "../ir/errors.js";
import { sizeOf, toFloat64, type Tensor } from "../ir/tensor.js";
import type { NIRGraph, NIRNode } from "../ir/types.js";
import type { ChipTimeUnit } from "./types.js";

/** Names of the nodes that `name` feeds, in edge order. */
export function successors(graph: NIRGraph, name: string): string[] {
  return graph.edges.filter((e) => e[0] === name).map((e) => e[1]);
}

/** Names of the nodes feeding `name`, in edge order. */
export function predecessors(graph: NIRGraph, name: string): string[] {
  return graph.edges.filter((e) => e[1] === name).map((e) => e[0]);
}

/** The node called `name` (NirError if the graph lacks it). */
export function nodeOf(graph: NIRGraph, name: string): NIRNode {
  const n = graph.nodes.get(name);
  if (!n) throw new NirError("ir.missing_node", `edge names node "${name}" which is not in the graph`, { node: name });
  return n;
}

/** Names of nodes of the given types, in graph order. */
export function nodesOfType(graph: NIRGraph, ...types: string[]): string[] {
  return [...graph.nodes].filter(([, n]) => types.includes(n.type)).map(([k]) => k);
}

/** A tensor's values as float64. */
export function values(t: Tensor): Float64Array {
  return toFloat64(t);
}

/** The single value of a uniform tensor, or null when entries differ. */
export function uniformValue(t: Tensor): number | null {
  const v = toFloat64(t);
  if (v.length === 0) return null;
  for (let i = 1; i < v.length; i++) if (v[i] !== v[0]) return null;
  return v[0];
}

/** Number of neurons of a neuron node (size of its threshold / tau / r tensor). */
export function neuronCount(node: NIRNode): number {
  const rec = node as unknown as Record<string, Tensor | undefined>;
  const t = rec.v_threshold ?? rec.tau_mem ?? rec.tau ?? rec.r;
  return t ? sizeOf(t.shape) : 0;
}

/** A graph-level tau converted to seconds. */
export function tauSeconds(tau: number, unit: ChipTimeUnit, dt: number): number {
  return unit === "ms" ? tau * 1e-3 : unit === "steps" ? tau * dt : tau;
}

/** Checks `dt` and `reset` of export options; throws a NirError naming the fix. */
export function requireExportBasics(opts: { dt?: unknown; reset?: unknown } | undefined, chip: string): void {
  if (!opts || typeof opts.dt !== "number" || !(opts.dt > 0) || !Number.isFinite(opts.dt)) {
    throw new NirError("hw.config", `export to ${chip} needs an explicit time step dt (seconds, > 0); got ${String(opts?.dt)}`, {
      field: "dt",
      hint: "NIR graphs do not store dt; pass e.g. {dt: 1e-4} (the paper's value) or --dt 1e-4",
    });
  }
  if (opts.reset !== "zero" && opts.reset !== "subtract") {
    throw new NirError("hw.config", `export to ${chip} needs an explicit reset mode "zero" or "subtract"; got ${String(opts.reset)}`, {
      field: "reset",
      hint: "NIR graphs do not store the reset mode; pass {reset: \"subtract\"} or --reset subtract",
    });
  }
}

/** Rounds to nearest, ties to even (as numpy/torch `round`). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x % 1) === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/** Clamps to a signed integer range of `bits` bits. */
export function clampBits(x: number, bits: number): number {
  const hi = 2 ** (bits - 1) - 1;
  const lo = -(2 ** (bits - 1));
  return x > hi ? hi : x < lo ? lo : x;
}

/** Plain nested arrays for JSON from a flat array and a shape. */
export function nest(flat: ArrayLike<number>, shape: number[]): unknown {
  if (shape.length === 0) return flat[0];
  const rec = (off: number, d: number): unknown => {
    const n = shape[d];
    if (d === shape.length - 1) return Array.from({ length: n }, (_, i) => flat[off + i]);
    const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: n }, (_, i) => rec(off + i * stride, d + 1));
  };
  return rec(0, 0);
}

/** Flattens nested number arrays (from a JSON config) into a Float64Array. */
export function flatNumbers(x: unknown): Float64Array {
  const out: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const e of v) walk(e);
    else out.push(Number(v));
  };
  walk(x);
  return Float64Array.from(out);
}
