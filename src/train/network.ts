/**
 * A NIR graph compiled for training: flattened and scheduled by the simulator's own graph code,
 * each node lowered through the table in ops/. Feed-forward stretches of the schedule run node by
 * node over the whole time window (rows = T·B); a stretch that holds a cycle (from the node that
 * reads a back-edge to that edge's source) runs step by step, the back-edge reading the previous
 * step's output (zeros at step 0). Backward runs the same segments in reverse.
 */
import { NirError } from "../ir/errors.js";
import type { NIRGraph } from "../ir/types.js";
import { flattenGraph, inferSimShapes, scheduleGraph, type FlatGraph } from "../sim/graph.js";
import { PROFILES, type ProfileName, type ResetMode } from "../sim/profiles.js";
import { trainKernels } from "./kernels/index.js";
import type { Buf } from "./kernels/types.js";
import { LOWERINGS, type OpContext, type Param, type TrainOp } from "./ops/index.js";
import { parseSurrogate, type Surrogate } from "./surrogate.js";

/** Options of {@link compileTrainer}. */
export interface NetOptions {
  /** Time step in seconds (required). */
  dt: number;
  /** Profile of the forward pass (default "norse"; must be differentiable, see ops/neuron.ts). */
  profile?: ProfileName;
  /** Reset (default: the profile's). */
  reset?: ResetMode;
  /** Surrogate spec or object (default fast-sigmoid:25). */
  surrogate?: string | Surrogate;
  /** "detach" (default): the spike in the reset term has no gradient; "attach": it has. */
  resetGrad?: "detach" | "attach";
  /**
   * What a cycle edge reads before step 0: false = zeros (the simulator's norse rule); true = its
   * source evaluated on zero input, i.e. an Affine's bias (PyTorch `rec(zeros)`, snnTorch's
   * RSynaptic, and the grad_reference cases). Default: the profile's `recurrentBiasAtStart`.
   */
  recurrentBiasAtStart?: boolean;
  /** Precision (default float32). */
  dtype?: "float32" | "float64";
}

interface Edge { src: number; back: boolean }

interface Slot {
  op: TrainOp;
  edges: Edge[];
  /** Consumers of this node's output (edges into other nodes). */
  consumers: number;
  needsGrad: boolean;
  out: Buf; dOut: Buf; in: Buf; dIn: Buf | null;
  inAlias: boolean; dInAlias: boolean;
  /** dOut is summed into (scatter), so it is zeroed before each backward pass. */
  accumulates: boolean;
}

/** A graph ready for forward and backward passes. */
export interface TrainNet {
  dtype: "float32" | "float64";
  ops: TrainOp[];
  params: Param[];
  inputShape: number[];
  outputShape: number[];
  /** Name of the node feeding the graph Output (the readout). */
  readout: string;
  /** Runs T steps of B items; input is (T, B, ...inputShape). Returns the Output buffer (T, B, C). */
  forward(input: Buf, T: number, B: number): Buf;
  /**
   * Backpropagates dLoss/dOutput (T, B, C) and accumulates the parameter gradients; `spikeReg`
   * adds λ/(B·n) to the gradient of every spike of the other spiking nodes (λ·mean count).
   */
  backward(dOutput: Buf, spikeReg?: number): void;
  zeroGrad(): void;
  /** Spikes of the spiking nodes other than the readout in the last forward pass. */
  hiddenSpikes(): number;
  /** Buffer of the chosen precision. */
  alloc(n: number): Buf;
}

/** Steps ranges of the schedule: [start, end) node positions, stepwise when a cycle lies inside. */
function segments(order: string[], edges: Map<string, Edge[]>, names: string[]): { start: number; end: number; stepwise: boolean }[] {
  const ranges: [number, number][] = [];
  order.forEach((n, pos) => {
    for (const e of edges.get(n)!) if (e.back) ranges.push([pos, order.indexOf(names[e.src])]);
  });
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], Math.max(r[0], r[1])]);
  }
  const out: { start: number; end: number; stepwise: boolean }[] = [];
  let pos = 0;
  for (const [a, b] of merged) {
    if (a > pos) out.push({ start: pos, end: a, stepwise: false });
    out.push({ start: a, end: b + 1, stepwise: true });
    pos = b + 1;
  }
  if (pos < order.length) out.push({ start: pos, end: order.length, stepwise: false });
  return out;
}

/** The lowering context of the options (profile, kernels, surrogate, precision). */
function opContext(opts: NetOptions): OpContext {
  if (!(opts.dt > 0)) throw new NirError("sim.missing_dt", `dt must be a positive number of seconds, got ${opts.dt}`, { field: "dt", hint: "e.g. dt: 1e-3" });
  const dtype = opts.dtype ?? "float32";
  const profileName = opts.profile ?? "norse";
  const profile = PROFILES[profileName];
  if (!profile) throw new NirError("train.options", `unknown profile "${profileName}"`, { field: "profile", hint: `one of ${Object.keys(PROFILES).join(", ")}` });
  return {
    dtype, kernels: trainKernels(dtype), dt: opts.dt, profile, reset: opts.reset ?? profile.reset,
    surrogate: typeof opts.surrogate === "object" ? opts.surrogate : parseSurrogate(opts.surrogate ?? "fast-sigmoid:25"),
    attachReset: opts.resetGrad === "attach",
    alloc: (n: number): Buf => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n)),
  };
}

/** Lowers every node in schedule order and marks which need gradients (buffers come with the batch size). */
function lowerSlots(flat: FlatGraph, order: string[], backEdges: Set<string>, ctx: OpContext): { slots: Slot[]; edgeMap: Map<string, Edge[]> } {
  const index = new Map(order.map((n, i) => [n, i]));
  const edgeMap = new Map<string, Edge[]>();
  for (const name of order) {
    edgeMap.set(name, flat.nodes.get(name)!.sources.map((s) => ({ src: index.get(s)!, back: backEdges.has(`${s}->${name}`) })));
  }
  const slots: Slot[] = order.map((name) => {
    const fn = flat.nodes.get(name)!;
    const lowering = LOWERINGS[fn.node.type];
    if (!lowering) throw new NirError("train.not_differentiable", `no training rule for ${fn.node.type}`, { node: name, hint: "replace it by a differentiable primitive (Affine, Conv2d, LIF, …)" });
    const empty = ctx.alloc(0);
    return { op: lowering.create(fn, ctx), edges: edgeMap.get(name)!, consumers: 0, needsGrad: false, out: empty, dOut: empty, in: empty, dIn: null, inAlias: false, dInAlias: false, accumulates: false };
  });
  for (const s of slots) for (const e of s.edges) slots[e.src].consumers++;
  // a node needs gradients when it or anything upstream has parameters (fixpoint over cycles)
  for (let changed = true; changed;) {
    changed = false;
    for (const s of slots) {
      const need = s.op.params.length > 0 || s.edges.some((e) => slots[e.src].needsGrad);
      if (need && !s.needsGrad) { s.needsGrad = true; changed = true; }
    }
  }
  return { slots, edgeMap };
}

/** A compiled net's slots, schedule and current batch geometry (the state its passes share). */
interface NetState {
  slots: Slot[];
  segs: { start: number; end: number; stepwise: boolean }[];
  inputPos: number;
  outputPos: number;
  readoutPos: number;
  biasAtStart: boolean;
  alloc: (n: number) => Buf;
  T: number;
  B: number;
}

/**
 * Sizes every buffer for T steps of B items: an op's output and output gradient are the buffers it
 * offers (TrainOp.buffers) when it offers them; a node fed by one forward edge lends the input
 * and input-gradient buffers it offers to a producer without its own when it is that producer's
 * only consumer; the rest are allocated. Single-edge inputs and gradients then alias where possible.
 */
function resize(st: NetState, T: number, B: number): void {
  const { slots, alloc } = st;
  st.T = T; st.B = B;
  const offers = slots.map((s) => {
    s.op.resize(T, B);
    return s.op.buffers?.() ?? {};
  });
  const out = offers.map((o) => o.out), dOut = offers.map((o, p) => (slots[p].needsGrad ? o.dOut : undefined));
  slots.forEach((s, p) => {
    if (s.edges.length !== 1 || s.edges[0].back) return;
    const q = s.edges[0].src;
    if (q === st.inputPos || slots[q].consumers !== 1) return;
    const fits = (b: Buf | undefined): Buf | undefined => (b && b.length === T * B * slots[q].op.outSize ? b : undefined);
    out[q] ??= fits(offers[p].in);
    if (slots[q].needsGrad) dOut[q] ??= fits(offers[p].dIn);
  });
  slots.forEach((s, p) => {
    s.out = out[p] ?? alloc(T * B * s.op.outSize);
    s.dOut = s.needsGrad ? dOut[p] ?? alloc(T * B * s.op.outSize) : alloc(0);
  });
  for (const s of slots) {
    const single = s.edges.length === 1 && !s.edges[0].back;
    s.inAlias = single;
    s.in = single ? slots[s.edges[0].src].out : alloc(T * B * s.op.inSize);
    const upstream = s.edges.some((e) => slots[e.src].needsGrad);
    s.dInAlias = single && upstream && slots[s.edges[0].src].consumers === 1;
    s.dIn = !upstream ? null : s.dInAlias ? slots[s.edges[0].src].dOut : alloc(T * B * s.op.inSize);
    if (upstream && !s.dInAlias) for (const e of s.edges) slots[e.src].accumulates = true;
  }
}

/** Sums a slot's fan-in for steps [t0, t1) into its input buffer (a back edge reads the previous step). */
function gather(st: NetState, s: Slot, t0: number, t1: number): void {
  if (s.inAlias) return;
  const { B, slots } = st;
  const n = s.op.inSize;
  s.in.fill(0, t0 * B * n, t1 * B * n);
  for (const e of s.edges) {
    const src = slots[e.src].out;
    const shift = e.back ? 1 : 0;
    for (let i = Math.max(t0, shift) * B * n; i < t1 * B * n; i++) s.in[i] += src[i - shift * B * n];
    const z = slots[e.src].op.atZero;
    if (e.back && t0 === 0 && st.biasAtStart && z) for (let i = 0; i < B * n; i++) s.in[i] += z.value[i % n];
  }
}

/** Sends a slot's input gradient for steps [t0, t1) back along its edges (the reverse of {@link gather}). */
function scatter(st: NetState, s: Slot, t0: number, t1: number): void {
  if (!s.dIn || s.dInAlias) return;
  const { B, slots } = st;
  const n = s.op.inSize;
  for (const e of s.edges) {
    const src = slots[e.src];
    if (!src.needsGrad) continue;
    const shift = e.back ? 1 : 0;
    for (let i = Math.max(t0, shift) * B * n; i < t1 * B * n; i++) src.dOut[i - shift * B * n] += s.dIn[i];
    const z = src.op.atZero;
    if (e.back && t0 === 0 && st.biasAtStart && z) for (let i = 0; i < B * n; i++) z.param.grad[i % n] += s.dIn[i];
  }
}

/** Runs the schedule forward over the whole window (see the file comment). */
function forwardPass(st: NetState, order: string[], input: Buf, T: number, B: number): Buf {
  if (T !== st.T || B !== st.B) resize(st, T, B);
  const { slots, inputPos } = st;
  const inSlot = slots[inputPos];
  if (input.length !== T * B * inSlot.op.outSize) throw new NirError("sim.input_shape", `input has ${input.length} values, expected T·B·${inSlot.op.outSize} = ${T * B * inSlot.op.outSize}`, { node: order[inputPos] });
  inSlot.out = input;
  for (const s of slots) if (s.inAlias && s.edges[0].src === inputPos) s.in = input;
  for (const s of slots) s.op.begin();
  const run = (p: number, t0: number, t1: number): void => {
    if (p === inputPos) return;
    gather(st, slots[p], t0, t1);
    slots[p].op.forward(slots[p].in, slots[p].out, t0, t1);
  };
  for (const seg of st.segs) {
    if (!seg.stepwise) for (let p = seg.start; p < seg.end; p++) run(p, 0, T);
    else for (let t = 0; t < T; t++) for (let p = seg.start; p < seg.end; p++) run(p, t, t + 1);
  }
  return slots[st.outputPos].out;
}

/** Runs the schedule backward from dLoss/dOutput, accumulating parameter gradients (see TrainNet.backward). */
function backwardPass(st: NetState, dOutput: Buf, reg: number): void {
  const { slots, T, B } = st;
  for (const s of slots) {
    if (s.accumulates) s.dOut.fill(0);
    s.op.begin();
  }
  const o = slots[st.outputPos];
  if (o.needsGrad) o.dOut.set(dOutput);
  const run = (p: number, t0: number, t1: number): void => {
    const s = slots[p];
    if (p === st.inputPos || !s.needsGrad) return;
    if (reg && s.op.spiking && p !== st.readoutPos) {
      const add = reg / (B * s.op.outSize);
      for (let i = t0 * B * s.op.outSize; i < t1 * B * s.op.outSize; i++) s.dOut[i] += add;
    }
    s.op.backward(s.in, s.out, s.dOut, s.dIn, t0, t1);
    scatter(st, s, t0, t1);
  };
  for (let g = st.segs.length - 1; g >= 0; g--) {
    const seg = st.segs[g];
    if (!seg.stepwise) for (let p = seg.end - 1; p >= seg.start; p--) run(p, 0, T);
    else for (let t = T - 1; t >= 0; t--) for (let p = seg.end - 1; p >= seg.start; p--) run(p, t, t + 1);
  }
}

/** Compiles a graph for training (the forward pass is the simulator's under `profile`). */
export function compileTrainer(graph: NIRGraph, opts: NetOptions): TrainNet {
  const ctx = opContext(opts);
  const flat = flattenGraph(graph);
  if (flat.inputs.length !== 1 || flat.outputs.length !== 1) throw new NirError("train.not_differentiable", `training needs one Input and one Output node, the graph has ${flat.inputs.length} and ${flat.outputs.length}`, { hint: "merge the inputs or outputs into one" });
  const sched = scheduleGraph(flat, opts.dt);
  inferSimShapes(flat, sched.order);
  const order = sched.order;
  const index = new Map(order.map((n, i) => [n, i]));
  const { slots, edgeMap } = lowerSlots(flat, order, sched.backEdges, ctx);
  const outFn = flat.nodes.get(flat.outputs[0])!;
  const readout = outFn.sources[0] ?? flat.outputs[0];
  const st: NetState = {
    slots, segs: segments(order, edgeMap, order), inputPos: index.get(flat.inputs[0])!, outputPos: index.get(flat.outputs[0])!,
    readoutPos: index.get(readout)!, biasAtStart: opts.recurrentBiasAtStart ?? ctx.profile.recurrentBiasAtStart ?? false,
    alloc: ctx.alloc, T: -1, B: -1,
  };
  const params = slots.flatMap((s) => s.op.params);
  return {
    dtype: ctx.dtype, ops: slots.map((s) => s.op), params,
    inputShape: flat.nodes.get(flat.inputs[0])!.outShape, outputShape: outFn.outShape, readout,
    alloc: ctx.alloc,
    forward: (input, t, b) => forwardPass(st, order, input, t, b),
    backward: (dOutput, spikeReg = 0) => backwardPass(st, dOutput, spikeReg),
    zeroGrad() { for (const p of params) p.grad.fill(0); },
    hiddenSpikes() {
      let total = 0;
      slots.forEach((s, p) => {
        if (!s.op.spiking || p === st.readoutPos) return;
        for (let i = 0; i < s.out.length; i++) total += s.out[i];
      });
      return total;
    },
  };
}
