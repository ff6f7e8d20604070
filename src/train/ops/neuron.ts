/**
 * Neurons for training: I, IF, LI, LIF, CubaLI, CubaLIF with the simulator's own per-neuron
 * coefficients (`neuronCoefs` of src/sim, so the forward pass is the simulator's by construction),
 * and Threshold. Per step, for input x (v, i carried; zeros at step 0):
 *   i ← ai·i + bi·x                     (CubaLI/CubaLIF; norse: ai = 1 − dt/τ_syn, bi = w_in·dt/τ_syn)
 *   v' ← av·v + bv·(i or x) + cv        (norse LIF: av = 1 − dt/τ, bv = r·dt/τ; IF/I: av = 1, bv = r)
 *   z = H(v' − θ); v ← v_reset (zero) or v' − θ (subtract) where z = 1, else v'.
 * Spiking neurons output z, the others v'. Backward: dz/dv' is the surrogate at u = v' − θ; the
 * spike in the reset term is a constant unless `attachReset`. v' is stored per step for backward.
 */
import { NirError } from "../../ir/errors.js";
import { sizeOf, toFloat64 } from "../../ir/tensor.js";
import type { NIRPrimitive } from "../../ir/types.js";
import type { FlatNode } from "../../sim/graph.js";
import { neuronCoefs, type NeuronCoefs } from "../../sim/ops/neuron.js";
import type { Buf } from "../kernels/types.js";
import { wasmNeuron, wasmNeuronApplies, wasmNeuronFits, type UniformNeuronSpec, type WasmNeuron } from "../kernels/wasm-neuron.js";
import type { Lowering, OpContext, TrainOp } from "./types.js";

type NeuronNode = Extract<NIRPrimitive, { type: "I" | "IF" | "LI" | "LIF" | "CubaLI" | "CubaLIF" }>;

/** Throws train.not_differentiable when the profile's update is not the linear one above. */
function checkDifferentiable(fn: FlatNode, c: NeuronCoefs, ctx: OpContext): void {
  const why =
    c.integrator === "exact" ? "locates the threshold crossing inside the step" :
    c.integrator === "fixed" ? "uses integer (fixed-point) arithmetic" :
    c.multi ? "emits several spikes per step (floor(v/θ))" :
    c.timing !== "same" ? `applies the spike or reset in another step ("${c.timing}" timing)` :
    c.vmin ? "clips the membrane from below" :
    c.inputDelay ? "delays every neuron input by a step" :
    c.gx ? "uses the exact 2×2 propagator" :
    c.float32 ? "rounds the current-based update to float32 and emits its spikes a step late (Spyx)" :
    ctx.profile.weightScale ? "quantises the weights" : "";
  if (why) {
    throw new NirError("train.not_differentiable", `${fn.node.type} under the ${ctx.profile.name} profile ${why}, which training does not differentiate`, {
      node: fn.name, hint: "train with --profile norse (forward Euler, spike v > θ, reset in the same step), then simulate the trained file under any profile",
    });
  }
}

function buf(ctx: OpContext, a: Float64Array): Buf {
  const b = ctx.alloc(a.length);
  b.set(a);
  return b;
}

/** Per-neuron coefficients and carried state of one neuron node, in the training precision. */
interface NeuronState {
  n: number;
  ai: Buf; bi: Buf; av: Buf; bv: Buf; cv: Buf; theta: Buf; vreset: Buf;
  /** v and i per (item, neuron), and their carried gradients in backward. */
  v: Buf; i: Buf; dv: Buf; di: Buf;
  /** v' (before the reset) per (step, item, neuron), stored by forward for backward. */
  vPre: Buf;
}

/**
 * Forward over rows [r0, r1) of the (T·B, n) buffers. Each value is the simulator's expression;
 * the spike and the reset are computed without a data-dependent branch (z ∈ {0, 1} as a number:
 * v ← v' − z·θ for subtract, v ← (1 − z)·v' + z·v_reset for zero), which gives the same values as
 * the branch for finite v' and does not stall on mispredicted spikes.
 */
function forwardRows(st: NeuronState, x: Buf, y: Buf, r0: number, r1: number, B: number, rule: NeuronRule): void {
  const { n, ai, bi, av, bv, cv, theta, vreset, v: V, i: I, vPre: P } = st;
  const { spiking, current, subtract } = rule;
  for (let r = r0; r < r1; r++) {
    const base = r * n, sb = (r % B) * n;
    for (let k = 0; k < n; k++) {
      let drive = x[base + k];
      if (current) {
        drive = ai[k] * I[sb + k] + bi[k] * drive;
        I[sb + k] = drive;
      }
      const vp = av[k] * V[sb + k] + bv[k] * drive + cv[k];
      P[base + k] = vp;
      if (!spiking) {
        y[base + k] = vp;
        V[sb + k] = vp;
      } else {
        const z = +(vp > theta[k]);
        y[base + k] = z;
        V[sb + k] = subtract ? vp - z * theta[k] : (1 - z) * vp + z * vreset[k];
      }
    }
  }
}

/** Rules of a node fixed at compile time: family, reset, and the gradient's surrogate and reset term. */
interface NeuronRule { spiking: boolean; current: boolean; subtract: boolean; attach: boolean; sg: (u: number) => number }

/**
 * Backward over rows [r0, r1), last row first: dv' from the output gradient (through the
 * surrogate for spiking neurons) and the carried dv; dx written for every row (when wanted).
 */
function backwardRows(st: NeuronState, dy: Buf, dx: Buf | null, r0: number, r1: number, B: number, rule: NeuronRule): void {
  const { n, ai, bi, av, bv, theta, vreset, dv: DV, di: DI, vPre: P } = st;
  const { spiking, current, subtract, attach, sg } = rule;
  for (let r = r1 - 1; r >= r0; r--) {
    const base = r * n, sb = (r % B) * n;
    for (let k = 0; k < n; k++) {
      const s = sb + k, idx = base + k;
      let dvp: number;
      if (spiking) {
        const vp = P[idx];
        const u = vp - theta[k];
        let dz = dy[idx];
        if (attach) dz += DV[s] * (subtract ? -theta[k] : vreset[k] - vp);
        // the reset passes dv back where no spike was emitted (zero reset), or always (subtract)
        dvp = (subtract ? DV[s] : +(u <= 0) * DV[s]) + dz * sg(u);
      } else dvp = DV[s] + dy[idx];
      DV[s] = av[k] * dvp;
      let g: number;
      if (current) {
        const dit = DI[s] + bv[k] * dvp;
        g = bi[k] * dit;
        DI[s] = ai[k] * dit;
      } else g = bv[k] * dvp;
      if (dx) dx[idx] = g;
    }
  }
}

/** The single value of a per-neuron coefficient when all neurons share it, else null. */
function uniformValue(a: Buf): number | null {
  for (let k = 1; k < a.length; k++) if (a[k] !== a[0]) return null;
  return a.length ? a[0] : null;
}

/** Coefficients shared by every neuron of a node without synaptic current (the usual LIF/IF/LI layer). */
interface UniformCoefs { av: number; bv: number; cv: number; theta: number; vreset: number }

/** {@link forwardRows} for a node with {@link UniformCoefs}: the same expressions with scalar coefficients. */
function forwardUniform(st: NeuronState, u: UniformCoefs, x: Buf, y: Buf, r0: number, r1: number, B: number, rule: NeuronRule): void {
  const { n, v: V, vPre: P } = st;
  const { av, bv, cv, theta, vreset } = u;
  const { spiking, subtract } = rule;
  for (let r = r0; r < r1; r++) {
    const base = r * n, sb = (r % B) * n;
    if (!spiking) {
      for (let k = 0; k < n; k++) {
        const vp = av * V[sb + k] + bv * x[base + k] + cv;
        P[base + k] = vp;
        y[base + k] = vp;
        V[sb + k] = vp;
      }
    } else if (subtract) {
      for (let k = 0; k < n; k++) {
        const vp = av * V[sb + k] + bv * x[base + k] + cv;
        P[base + k] = vp;
        const z = +(vp > theta);
        y[base + k] = z;
        V[sb + k] = vp - z * theta;
      }
    } else {
      for (let k = 0; k < n; k++) {
        const vp = av * V[sb + k] + bv * x[base + k] + cv;
        P[base + k] = vp;
        const z = +(vp > theta);
        y[base + k] = z;
        V[sb + k] = (1 - z) * vp + z * vreset;
      }
    }
  }
}

/** {@link backwardRows} for a spiking node with {@link UniformCoefs} and a detached reset. */
function backwardUniform(st: NeuronState, u: UniformCoefs, dy: Buf, dx: Buf | null, r0: number, r1: number, B: number, rule: NeuronRule): void {
  const { n, dv: DV, vPre: P } = st;
  const { av, bv, theta } = u;
  const { subtract, sg } = rule;
  for (let r = r1 - 1; r >= r0; r--) {
    const base = r * n, sb = (r % B) * n;
    for (let k = 0; k < n; k++) {
      const s = sb + k, idx = base + k;
      const d = P[idx] - theta;
      const dvp = (subtract ? DV[s] : +(d <= 0) * DV[s]) + dy[idx] * sg(d);
      DV[s] = av * dvp;
      if (dx) dx[idx] = bv * dvp;
    }
  }
}

function neuronOp(fn: FlatNode, ctx: OpContext): TrainOp {
  const n = sizeOf(fn.outShape);
  let c: NeuronCoefs;
  try {
    c = neuronCoefs(fn.node as NeuronNode, n, ctx.profile, ctx.dt, ctx.reset);
  } catch (e) {
    throw new NirError("ir.shape_mismatch", (e as Error).message, { node: fn.name });
  }
  checkDifferentiable(fn, c, ctx);
  const empty = ctx.alloc(0);
  const st: NeuronState = {
    n, ai: buf(ctx, c.ai), bi: buf(ctx, c.bi), av: buf(ctx, c.av), bv: buf(ctx, c.bv), cv: buf(ctx, c.cv),
    theta: buf(ctx, c.theta), vreset: buf(ctx, c.vreset), v: empty, i: empty, dv: empty, di: empty, vPre: empty,
  };
  const { current, spiking } = c;
  const subtract = c.reset === "subtract";
  const rule: NeuronRule = { spiking, current, subtract, attach: ctx.attachReset, sg: ctx.surrogate.grad };
  const shared = [st.av, st.bv, st.cv, st.theta, st.vreset].map(uniformValue);
  const uniform: UniformCoefs | null = !current && shared.every((v) => v !== null)
    ? { av: shared[0]!, bv: shared[1]!, cv: shared[2]!, theta: shared[3]!, vreset: shared[4]! } : null;
  // scalars read from the buffers, so float32 training uses the same rounded coefficients as the general loops
  const uniformBackward = uniform !== null && spiking && !rule.attach;
  // the generated kernel runs where the fast kernels run (f32 with WebAssembly SIMD); it holds v, dv and v'
  const spec: UniformNeuronSpec | null = uniformBackward && ctx.dtype === "float32" && ctx.kernels.name === "wasm-simd"
    ? { n, ...uniform!, subtract, surrogate: ctx.surrogate } : null;
  const useWasm = spec !== null && wasmNeuronApplies(spec);
  let kern: WasmNeuron | null = null;
  let B = 0;
  return {
    name: fn.name, type: fn.node.type, inSize: n, outSize: n, params: [], spiking,
    resize(T, b) {
      B = b;
      st.i = ctx.alloc(B * n); st.di = ctx.alloc(B * n);
      if (useWasm && wasmNeuronFits(n, T * B, B)) {
        if (!kern || T * B > kern.rows || B > kern.B) kern = wasmNeuron(spec, Math.max(T * B, kern?.rows ?? 0), Math.max(B, kern?.B ?? 0));
        st.v = kern.v.subarray(0, B * n); st.dv = kern.dv.subarray(0, B * n); st.vPre = kern.vPre.subarray(0, T * B * n);
      } else {
        kern = null;
        st.v = ctx.alloc(B * n); st.dv = ctx.alloc(B * n); st.vPre = ctx.alloc(T * B * n);
      }
    },
    begin() { st.v.fill(0); st.i.fill(0); st.dv.fill(0); st.di.fill(0); },
    runsOn: () => (kern ? "wasm" : "js"),
    buffers() {
      if (!kern) return {};
      const len = st.vPre.length;
      return { in: kern.x.subarray(0, len), out: kern.y.subarray(0, len), dOut: kern.dy.subarray(0, len), dIn: kern.dx.subarray(0, len) };
    },
    forward(x, y, t0, t1) {
      if (kern) kern.forward(x as Float32Array, y as Float32Array, t0 * B, t1 * B, B);
      else if (uniform) forwardUniform(st, uniform, x, y, t0 * B, t1 * B, B, rule);
      else forwardRows(st, x, y, t0 * B, t1 * B, B, rule);
    },
    backward(_x, _y, dy, dx, t0, t1) {
      if (kern) kern.backward(dy as Float32Array, dx as Float32Array | null, t0 * B, t1 * B, B);
      else if (uniformBackward) backwardUniform(st, uniform!, dy, dx, t0 * B, t1 * B, B, rule);
      else backwardRows(st, dy, dx, t0 * B, t1 * B, B, rule);
    },
  };
}

function thresholdOp(fn: FlatNode, ctx: OpContext): TrainOp {
  const n = sizeOf(fn.outShape);
  const th = toFloat64((fn.node as Extract<NIRPrimitive, { type: "Threshold" }>).threshold);
  const theta = ctx.alloc(n);
  if (th.length === 1) theta.fill(th[0]);
  else theta.set(th);
  const sg = ctx.surrogate.grad;
  let B = 0;
  return {
    name: fn.name, type: "Threshold", inSize: n, outSize: n, params: [], spiking: true,
    resize(_T, b) { B = b; },
    begin() { /* stateless */ },
    forward(x, y, t0, t1) {
      for (let idx = t0 * B * n; idx < t1 * B * n; idx++) y[idx] = x[idx] > theta[idx % n] ? 1 : 0;
    },
    backward(x, _y, dy, dx, t0, t1) {
      if (!dx) return;
      for (let idx = t0 * B * n; idx < t1 * B * n; idx++) dx[idx] = dy[idx] * sg(x[idx] - theta[idx % n]);
    },
  };
}

/** Every neuron type: τ, θ, r, v_leak, w_in are constants (not trained). */
export const neuron: Lowering = { create: neuronOp };
/** Threshold: z = H(x − θ) with the surrogate in backward. */
export const threshold: Lowering = { create: thresholdOp };
