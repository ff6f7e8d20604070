/**
 * The simulator's public types: what `compile` takes, what a plan is, what a run takes and
 * returns, and the rows of `plan.explain()`.
 */
import type { Tensor } from "../ir/tensor.js";
import type { NIRGraph } from "../ir/types.js";
import type { Profile, ProfileName, ResetMode } from "./profiles.js";

/** Options of `compile`. */
export interface CompileOptions {
  /** Time step in seconds (required). */
  dt: number;
  /** Platform profile (default "norse"). */
  profile?: ProfileName;
  /** Batch size the buffers are first allocated for (runs adapt to the input's batch). */
  batch?: number;
  /** Override the profile's reset (NIR files do not store it). */
  reset?: ResetMode;
  /** Worker threads used by `runAsync` (default 1 = in this thread). */
  workers?: number;
  /**
   * "auto" (default): the hottest sparse kernels run as generated WebAssembly SIMD where the
   * engine supports it; "js": JavaScript loops only. Both give identical results.
   */
  kernels?: "auto" | "js";
}

/** Events as input: per event a step, a flat per-sample index, an optional value and batch item. */
export interface EventInput {
  steps: number;
  t: Int32Array;
  index: Int32Array;
  value?: Float32Array | Float64Array;
  batch?: Int32Array;
  /** Batch size (default: 1 + max(batch), or 1). */
  batchSize?: number;
}

/** A simulation input: dense (T, [B,] ...inputShape) or events. */
export type SimInput = Tensor | EventInput;

/** Options of `plan.run`. */
export interface RunOptions {
  /** Record specs (grammar in record.ts): "node" (its output), "node:out", "node:v", "node:i", "node:spikes". */
  record?: string[];
  /** Called now and then with (steps done, total steps). */
  onProgress?: (done: number, total: number) => void;
}

/** What a run returns (displayable as kind "simulation"). */
export interface SimResult {
  dt: number;
  profile: ProfileName;
  steps: number;
  batch: number;
  /** The graph Output, shape (T, [B,] ...outShape). */
  output: Tensor;
  /** Recorded arrays, key "<node>.<v|i|spikes|out>", shape (T, [B,] ...shape). */
  records: Record<string, Tensor>;
}

/** Kernel families of the lowering table (lower/): one file each. */
export type KernelFamily = "io" | "affine" | "conv" | "pool" | "neuron" | "delay" | "elementwise";

/** One row of `plan.explain()`: how one node runs in a batch-1 run without records. */
export interface ExplainRow {
  /** Flattened node name. */
  node: string;
  /** IR type tag. */
  type: string;
  /** Kernel family (the lower/ file that prepares the node). */
  family: KernelFamily;
  /** What runs the node: "js" loops or generated "wasm". */
  engine: "js" | "wasm";
  /** The segment the node runs in: "js", "chain N", "small graph", "fused pair" or "none" (a pass-through). */
  segment: string;
  /** The node it is fused with (a layer and the IF it feeds), or "" when none. */
  fusedWith: string;
  /** Why a faster path was not taken ("" when the node runs on the fastest path it has). */
  why: string;
}

/** A compiled graph. */
export interface Plan {
  dt: number;
  profile: Profile;
  /** The reset override given to compile (undefined = the profile's own). */
  resetMode: ResetMode | undefined;
  /** Node names in execution order (flattened: nested names are dotted). */
  order: string[];
  /** Per-sample input and output shapes. */
  inputShape: number[];
  outputShape: number[];
  /** Edges read from the previous step ("src->dst"). */
  backEdges: string[];
  /** Non-fatal remarks (e.g. a dt implausible for a tau). */
  warnings: string[];
  /** Worker threads for runAsync. */
  workers: number;
  /** Runs the whole input in this thread. */
  run(input: SimInput, opts?: RunOptions): SimResult;
  /** Runs the input, splitting the batch over `workers` threads when > 1. */
  runAsync(input: SimInput, opts?: RunOptions): Promise<SimResult>;
  /** Advances one step with carried state; `x` is ([B,] ...inputShape). Returns the output ([B,] ...outShape). */
  step(x: Tensor | ArrayLike<number>): Tensor;
  /** Zeroes all state (v, i, delays, cycle buffers) and the step counter. */
  reset(): void;
  /**
   * One row per node, in execution order: its kernel family, js or wasm, its segment, what it is
   * fused with, and why a faster path was not taken — for `plan.run` on one item with the given
   * record specs (records can keep a layer out of a fused kernel).
   */
  explain(record?: string[]): ExplainRow[];
  /** The graph this plan was compiled from (workers recompile it). */
  graph: NIRGraph;
  options: CompileOptions;
}

export type { Profile, ProfileName, ResetMode };
