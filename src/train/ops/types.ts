/**
 * The training lowering contract: one entry per NIR type tag turns a flattened node into a
 * TrainOp whose forward and backward passes sit side by side. Buffers are time-major, row-major
 * (T, B, ...shape): row t·B + b. A pass works on a step range [t0, t1): feed-forward parts of the
 * graph run each op once over the whole window, cyclic parts one step at a time.
 */
import type { FlatNode } from "../../sim/graph.js";
import type { Profile, ResetMode } from "../../sim/profiles.js";
import type { Buf, TrainKernels } from "../kernels/types.js";
import type { Surrogate } from "../surrogate.js";

/** What every lowering gets: precision, kernels, discretisation and gradient rules. */
export interface OpContext {
  dtype: "float32" | "float64";
  kernels: TrainKernels;
  /** Time step (s), profile and reset of the forward pass (the simulator's). */
  dt: number;
  profile: Profile;
  reset: ResetMode;
  surrogate: Surrogate;
  /** Whether the spike in the reset term carries gradient (default false: detached). */
  attachReset: boolean;
  /** A zeroed buffer of the chosen precision. */
  alloc(n: number): Buf;
}

/** A trainable tensor of a node: its values and gradient, both of the chosen precision. */
export interface Param {
  /** "<node>.<field>", the key of `nir grad`'s output. */
  key: string;
  node: string;
  field: string;
  shape: number[];
  data: Buf;
  grad: Buf;
  /** Inputs feeding one output (PyTorch's fan_in), for initialisation. */
  fanIn: number;
  role: "weight" | "bias";
}

/** One node lowered for training. */
export interface TrainOp {
  name: string;
  type: string;
  inSize: number;
  outSize: number;
  params: Param[];
  /** True when the output is spikes (readout by count, spike regularisation). */
  spiking: boolean;
  /** Allocates per-batch state for T steps of B items (called when T or B changes). */
  resize(T: number, B: number): void;
  /** Clears the carried state before a new forward pass (and the carried gradients before backward). */
  begin(): void;
  /** Computes y for steps [t0, t1) from x (both whole-window buffers). */
  forward(x: Buf, y: Buf, t0: number, t1: number): void;
  /**
   * Given dy for steps [t0, t1) (final), accumulates parameter gradients and overwrites dx for the
   * same steps (dx null: not needed). Stateful ops are called with descending ranges.
   */
  backward(x: Buf, y: Buf, dy: Buf, dx: Buf | null, t0: number, t1: number): void;
  /**
   * The output for zero input (per sample), read by a cycle edge before step 0 when the
   * `recurrentBiasAtStart` rule is on: an Affine's bias. Absent = zeros.
   */
  atZero?: { value: Buf; param: Param };
  /** Which loops run the op's own element-wise passes ("wasm" or "js"), for explain and tests; absent = js. */
  runsOn?(): "wasm" | "js";
  /**
   * Whole-window buffers (T·B rows, after resize) that the op's passes use in place, offered to the
   * network for its output, output gradient, input and input gradient (an op whose kernel keeps
   * its own memory saves the copies in and out). The network takes what it can (see resize in
   * network.ts); the passes accept any buffer.
   */
  buffers?(): BufferOffer;
}

/** Buffers an op offers (see {@link TrainOp.buffers}); each is optional. */
export interface BufferOffer { out?: Buf; dOut?: Buf; in?: Buf; dIn?: Buf }

/** Lowers one node type for training. */
export interface Lowering {
  create(fn: FlatNode, ctx: OpContext): TrainOp;
}
