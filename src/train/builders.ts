/**
 * Fresh, initialised graphs in a few lines: the paper's SCNN shape from layer sizes (Conv2d → IF
 * [→ SumPool2d] blocks, Flatten, Affine → IF layers), and a recurrent CubaLIF network like the
 * paper's Braille model (Linear → CubaLIF ⇄ Linear → Linear → CubaLIF). Weights are drawn as
 * PyTorch's defaults (U(±1/√fan_in)) from a seed; biases are zero (bias-free layers, as Sinabs).
 */
import { seededRng, type Rng } from "../data/random.js";
import type { Tensor } from "../ir/tensor.js";
import type { NIRGraph, NIRNode } from "../ir/types.js";
import { NIRGraph as makeGraph } from "../ir/graph.js";
import { Affine, Conv2d, CubaLIF, Flatten, IF, Input, Linear, Output, SumPool2d } from "../ir/primitives/index.js";

function uniform(shape: number[], fanIn: number, rng: Rng): Tensor<"float32"> {
  const n = shape.reduce((a, b) => a * b, 1);
  const bound = 1 / Math.sqrt(fanIn);
  return { dtype: "float32", shape, data: Float32Array.from({ length: n }, () => (2 * rng.next() - 1) * bound) };
}

const full = (shape: number[], v: number): Tensor<"float32"> => ({ dtype: "float32", shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v) });

/** One convolution block of {@link scnn}. */
export interface ConvBlock {
  channels: number;
  kernel: number;
  stride?: number;
  padding?: number;
  /** SumPool2d window (and stride) after the IF layer; none by default. */
  pool?: number;
}

/** Options of {@link scnn}. */
export interface ScnnOptions {
  /** Per-sample input (C, H, W), e.g. [2, 34, 34] for N-MNIST. */
  input: [number, number, number];
  conv: ConvBlock[];
  /** Sizes of the hidden Affine → IF layers after Flatten. */
  hidden: number[];
  classes: number;
  /** IF threshold (default 1). */
  threshold?: number;
  seed?: number;
}

/**
 * A spiking CNN of IF neurons, e.g. the paper's N-MNIST SCNN:
 * `scnn({input: [2, 34, 34], conv: [{channels: 16, kernel: 5, stride: 2, padding: 1}, {channels: 16, kernel: 3, padding: 1, pool: 2}, {channels: 8, kernel: 3, padding: 1, pool: 2}], hidden: [256], classes: 10})`.
 */
export function scnn(opts: ScnnOptions): NIRGraph {
  const rng = seededRng(opts.seed ?? 0);
  const th = opts.threshold ?? 1;
  const nodes: [string, NIRNode][] = [["input", Input({ shape: opts.input })]];
  const edges: [string, string][] = [];
  let prev = "input";
  let [c, h, w] = opts.input;
  let k = 0;
  const add = (node: NIRNode): void => {
    const name = String(k++);
    nodes.push([name, node]);
    edges.push([prev, name]);
    prev = name;
  };
  const ifLayer = (shape: number[]) => IF({ r: full(shape, 1), v_threshold: full(shape, th), v_reset: full(shape, 0) });
  for (const b of opts.conv) {
    const s = b.stride ?? 1, p = b.padding ?? 0;
    add(Conv2d({ input_shape: [h, w], weight: uniform([b.channels, c, b.kernel, b.kernel], c * b.kernel * b.kernel, rng), bias: full([b.channels], 0), stride: [s, s], padding: [p, p], dilation: [1, 1], groups: 1 }));
    [c, h, w] = [b.channels, Math.floor((h + 2 * p - b.kernel) / s) + 1, Math.floor((w + 2 * p - b.kernel) / s) + 1];
    add(ifLayer([c, h, w]));
    if (b.pool) {
      add(SumPool2d({ kernel_size: [b.pool, b.pool], stride: [b.pool, b.pool], padding: [0, 0] }));
      [h, w] = [Math.floor(h / b.pool), Math.floor(w / b.pool)];
    }
  }
  add(Flatten({ start_dim: 0, end_dim: -1, input_type: { input: [c, h, w] } }));
  let n = c * h * w;
  for (const m of [...opts.hidden, opts.classes]) {
    add(Affine({ weight: uniform([m, n], n, rng), bias: full([m], 0) }));
    add(ifLayer([m]));
    n = m;
  }
  nodes.push(["output", Output({ shape: [opts.classes] })]);
  edges.push([prev, "output"]);
  return makeGraph({ nodes, edges });
}

/** Options of {@link recurrentCuba}. */
export interface RecurrentCubaOptions {
  inputs: number;
  hidden: number;
  classes: number;
  /** Synaptic and membrane time constants (s) of the hidden and output layers (default: the paper's Braille model). */
  tauSyn?: [number, number];
  tauMem?: [number, number];
  threshold?: number;
  seed?: number;
}

/**
 * A recurrent CubaLIF network shaped like the paper's Braille model (names fc1, lif1, w_rec, fc2,
 * lif2); `r` = τ_mem/dt_ref and `w_in` = τ_syn/dt_ref with dt_ref = 1e-4 s, so each input has unit
 * gain per 0.1 ms step under forward Euler, as the paper's snnTorch export.
 */
export function recurrentCuba(opts: RecurrentCubaOptions): NIRGraph {
  const rng = seededRng(opts.seed ?? 0);
  const [ts1, ts2] = opts.tauSyn ?? [4e-4, 1.818e-4];
  const [tm1, tm2] = opts.tauMem ?? [6.667e-4, 3.333e-4];
  const th = opts.threshold ?? 1;
  const cuba = (n: number, ts: number, tm: number) => CubaLIF({
    tau_syn: full([n], ts), tau_mem: full([n], tm), r: full([n], tm / 1e-4), v_leak: full([n], 0),
    v_threshold: full([n], th), v_reset: full([n], 0), w_in: full([n], ts / 1e-4),
  });
  return makeGraph({
    nodes: {
      input: Input({ shape: [opts.inputs] }),
      fc1: Linear({ weight: uniform([opts.hidden, opts.inputs], opts.inputs, rng) }),
      lif1: cuba(opts.hidden, ts1, tm1),
      w_rec: Linear({ weight: uniform([opts.hidden, opts.hidden], opts.hidden, rng) }),
      fc2: Linear({ weight: uniform([opts.classes, opts.hidden], opts.hidden, rng) }),
      lif2: cuba(opts.classes, ts2, tm2),
      output: Output({ shape: [opts.classes] }),
    },
    edges: [["input", "fc1"], ["fc1", "lif1"], ["lif1", "w_rec"], ["w_rec", "lif1"], ["lif1", "fc2"], ["fc2", "lif2"], ["lif2", "output"]],
  });
}
