/**
 * The lowering table's types. A lowering turns one IR primitive into what the simulator runs:
 * `prepare` computes its parameters once per compile (weights transposed and quantised, neuron
 * coefficients for the profile), `emit` adds its step to a runtime for a batch size. One entry
 * per IR type tag (lower/index.ts); one file per kernel family.
 */
import type { NIRPrimitive } from "../../ir/types.js";
import type { ConvGeometry, FlatGraph, FlatNode } from "../graph.js";
import type { ChainLayer } from "../ops/chain-wasm.js";
import type { ConvParams } from "../ops/conv.js";
import type { AffineParams } from "../ops/linear.js";
import type { DelayState } from "../ops/elementwise.js";
import type { NeuronCoefs, NeuronState } from "../ops/neuron.js";
import type { Port, StepFn } from "../ops/buffers.js";
import type { StepOp } from "../ops/small-graph-wasm.js";
import type { Profile, ResetMode } from "../profiles.js";
import type { KernelFamily } from "../types.js";

/** A node's parameters after `prepare`: its kind and the arrays its kernel reads. */
export interface Prepared {
  kind: "input" | "identity" | "affine" | "scale" | "conv" | "pool" | "delay" | "threshold" | "neuron";
  affine?: AffineParams;
  scale?: Float64Array;
  conv?: ConvParams;
  pool?: { g: ConvGeometry; scale: number };
  delaySteps?: Int32Array;
  theta?: Float64Array;
  coefs?: NeuronCoefs;
}

/** What `prepare` may read besides the node: its flattened form, the profile, dt and reset. */
export interface PrepareContext {
  name: string;
  fn: FlatNode;
  flat: FlatGraph;
  profile: Profile;
  dt: number;
  reset: ResetMode;
  /** Values per sample of the node's output. */
  size: number;
}

/**
 * How a layer runs, as fuse.ts decided: alone in JavaScript, fused with the IF it feeds in the
 * JavaScript conv→IF kernel, or as one layer of a wasm chain (then `neuron` is the IF the layer
 * holds, or null for a pool).
 */
export type LayerKernel =
  | { via: "js" }
  | { via: "fused"; neuron: string }
  | { via: "chain"; neuron: string | null; layer: ChainLayer };

/** The runtime under construction, as a lowering's `emit` sees it (runtime.ts implements it). */
export interface EmitContext {
  name: string;
  fn: FlatNode;
  prep: Prepared;
  /** Batch size of the runtime. */
  batch: number;
  /** The input port (null for the graph's Input). */
  inp: Port | null;
  /** A uniform current-based neuron's two summed sources (read inside its loop), else null. */
  summed: Float64Array[] | null;
  /** The ports behind `summed` when they are plain ports (for the small-graph kernel), else null. */
  summedPorts: Port[] | null;
  /** How this layer runs (fuse.ts). */
  kernel: LayerKernel;
  /** True when this neuron is updated inside its source layer's kernel (a fused pair or a chain). */
  fusedAway: boolean;
  /** The node's output port (allocated once; a back-edge source's port exists before its readers). */
  out(): Port;
  /** True when the node's port exists already (a back-edge source, or the IF of a fused pair). */
  hasPort(): boolean;
  /** The port of another node, allocated and registered now when it has none yet. */
  portOf(name: string): Port;
  /** The prepared parameters of another node. */
  prepared(name: string): Prepared;
  /** Appends a JavaScript step (with its small-graph description, when it has one). */
  step(fn: StepFn, op?: StepOp): void;
  /** Appends a chain layer (a placeholder step until the chains are built). */
  chainLayer(layer: ChainLayer, inp: Port, outp: Port, neuron: string | null): void;
  /** Registers a neuron's state (for records and resets). */
  neuronState(name: string, st: NeuronState): void;
  /** Registers a delay's ring (zeroed on reset). */
  delay(st: DelayState): void;
  /** Registers an affine's per-item "output holds just the bias" flags (zeroed on reset). */
  cleanFlags(flags: Uint8Array): void;
}

/**
 * Reserved for training: the backward pass of a node's forward step, beside it in the table.
 * A training backend fills this in; the simulator never calls it, and a lowering without one
 * marks a primitive that cannot be trained yet.
 */
export interface BackwardLowering {
  /** Given the forward's prepared parameters, a step that maps ∂L/∂out to ∂L/∂in (and parameter gradients). */
  step(prep: Prepared, ctx: EmitContext, gradOut: Port, gradIn: Port): StepFn;
}

/** One entry of the lowering table: how one IR primitive runs. */
export interface Lowering<N extends NIRPrimitive = NIRPrimitive> {
  /** The kernel family (the file it lives in), shown by `plan.explain()`. */
  family: KernelFamily;
  /** Parameters for the profile and dt, computed once per compile. */
  prepare(node: N, ctx: PrepareContext): Prepared;
  /** Adds the node's step(s) to a runtime; returns its output port. */
  emit(ctx: EmitContext): Port;
  /** The adjoint, for training (see {@link BackwardLowering}); absent = not trainable yet. */
  backward?: BackwardLowering;
}

/** Rounds weights to the profile's grid (x·scale truncated, divided back), or returns them as they are. */
export function quantize(w: Float64Array, scale: number | undefined): Float64Array {
  if (!scale) return w;
  return w.map((x) => Math.trunc(x * scale) / scale);
}

/** A per-node parameter broadcast to `n` values (one value fills all). */
export function broadcast(values: ArrayLike<number>, n: number): Float64Array {
  return values.length === n ? Float64Array.from(values) : new Float64Array(n).fill(values[0]);
}
