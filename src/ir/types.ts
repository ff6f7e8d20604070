/**
 * The NIR node records. Field names match the `.nir` file format one to one (`v_threshold`,
 * `tau_syn`), so a node, its HDF5 group and its JSON dump line up. Every node also carries its
 * `input_type`/`output_type` (port name → per-sample shape, `null` while unknown), filled by the
 * constructors and by graph type inference, exactly as the Python reference does.
 */
import type { Shape, Tensor } from "./tensor.js";

/** Port name → shape (or null while not inferred). Single-port nodes use "input"/"output". */
export type TypeMap = Record<string, Shape | null>;

/** A metadata value: strings, numbers, booleans, string lists, tensors and nested dicts. */
export type MetaValue = string | number | bigint | boolean | string[] | Tensor | Metadata;

/** Free-form metadata on a node or graph (never required for execution). */
export interface Metadata {
  [key: string]: MetaValue;
}

/** Fields shared by every node. */
export interface NodeCommon {
  input_type: TypeMap;
  output_type: TypeMap;
  metadata: Metadata;
}

/** Graph entry point; `shape` is the per-sample input shape (null while unknown). */
export interface Input extends NodeCommon { type: "Input"; shape: Tensor | null }
/** Graph exit point; `shape` is the per-sample output shape (null until inferred, like `Output(None)`). */
export interface Output extends NodeCommon { type: "Output"; shape: Tensor | null }
/** y = W·x + b, W of shape (..., out, in). */
export interface Affine extends NodeCommon { type: "Affine"; weight: Tensor; bias: Tensor }
/** y = W·x, W of shape (..., out, in). */
export interface Linear extends NodeCommon { type: "Linear"; weight: Tensor }
/** y = s ⊙ x. */
export interface Scale extends NodeCommon { type: "Scale"; scale: Tensor }
/** 1-D convolution, PyTorch semantics; weight (C_out, C_in/groups, K). */
export interface Conv1d extends NodeCommon {
  type: "Conv1d";
  input_shape: Tensor | null;
  weight: Tensor;
  stride: Tensor;
  padding: Tensor | "same" | "valid";
  dilation: Tensor;
  groups: Tensor;
  bias: Tensor;
}
/** 2-D convolution, PyTorch semantics; weight (C_out, C_in/groups, kH, kW). */
export interface Conv2d extends NodeCommon {
  type: "Conv2d";
  input_shape: Tensor | null;
  weight: Tensor;
  stride: Tensor;
  padding: Tensor | "same" | "valid";
  dilation: Tensor;
  groups: Tensor;
  bias: Tensor;
}
/** Sum over each pooling window. */
export interface SumPool2d extends NodeCommon { type: "SumPool2d"; kernel_size: Tensor; stride: Tensor; padding: Tensor }
/** Mean over each pooling window. */
export interface AvgPool2d extends NodeCommon { type: "AvgPool2d"; kernel_size: Tensor; stride: Tensor; padding: Tensor }
/** Flattens dims start_dim..end_dim of the per-sample shape; stores its input shape in the file. */
export interface Flatten extends NodeCommon { type: "Flatten"; start_dim: Tensor; end_dim: Tensor }
/** y(t) = x(t − delay), per element. */
export interface Delay extends NodeCommon { type: "Delay"; delay: Tensor }
/** z = [x > threshold]. */
export interface Threshold extends NodeCommon { type: "Threshold"; threshold: Tensor }
/** Integrator: dv/dt = r·I; output v. */
export interface I extends NodeCommon { type: "I"; r: Tensor }
/** Integrate-and-fire: dv/dt = r·I; spike when v > v_threshold, then v ← v_reset. */
export interface IF extends NodeCommon { type: "IF"; r: Tensor; v_threshold: Tensor; v_reset: Tensor }
/** Leaky integrator: tau·dv/dt = (v_leak − v) + r·I; output v. */
export interface LI extends NodeCommon { type: "LI"; tau: Tensor; r: Tensor; v_leak: Tensor }
/** Leaky integrate-and-fire: as LI plus threshold and reset to v_reset. */
export interface LIF extends NodeCommon { type: "LIF"; tau: Tensor; r: Tensor; v_leak: Tensor; v_threshold: Tensor; v_reset: Tensor }
/** Current-based LI: tau_syn·dI/dt = −I + w_in·S; tau_mem·dv/dt = (v_leak − v) + r·I. */
export interface CubaLI extends NodeCommon { type: "CubaLI"; tau_syn: Tensor; tau_mem: Tensor; r: Tensor; v_leak: Tensor; w_in: Tensor }
/** Current-based LIF: CubaLI plus threshold and reset. */
export interface CubaLIF extends NodeCommon {
  type: "CubaLIF";
  tau_syn: Tensor;
  tau_mem: Tensor;
  r: Tensor;
  v_leak: Tensor;
  v_threshold: Tensor;
  v_reset: Tensor;
  w_in: Tensor;
}

/**
 * A graph of named nodes. `nodes` is a Map because node order is meaningful (the file's
 * iteration order, then nodes added by inference) and JS objects reorder integer-like keys
 * such as "0", "1", "10".
 */
export interface NIRGraph {
  type: "NIRGraph";
  nodes: Map<string, NIRNode>;
  edges: [string, string][];
  /** Input node name → shape; null when the graph has no Input node. */
  input_type: TypeMap | null;
  /** Output node name → shape; {} when the graph has no Output node. */
  output_type: TypeMap;
  metadata: Metadata;
}

/** Every primitive except the graph itself. */
export type NIRPrimitive =
  | Input | Output | Affine | Linear | Scale | Conv1d | Conv2d | SumPool2d | AvgPool2d
  | Flatten | Delay | Threshold | I | IF | LI | LIF | CubaLI | CubaLIF;

/** Any NIR node, graphs included (graphs nest). */
export type NIRNode = NIRPrimitive | NIRGraph;

/** The `type` tag of every node kind, as written in `.nir` files. */
export type NIRNodeType = NIRNode["type"];

/** The node record for a given type tag. */
export type NodeOfType<K extends NIRNodeType> = Extract<NIRNode, { type: K }>;

/** Neuron types: nodes with state that evolves over time. */
export const NEURON_TYPES = ["I", "IF", "LI", "LIF", "CubaLI", "CubaLIF"] as const;
/** Spiking node types: their output is 0/1 per step. */
export const SPIKING_TYPES = ["IF", "LIF", "CubaLIF", "Threshold"] as const;
