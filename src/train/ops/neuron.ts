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

function neuronOp(fn: FlatNode, ctx: OpContext): TrainOp {
  const n = sizeOf(fn.outShape);
  let c: NeuronCoefs;
  try {
    c = neuronCoefs(fn.node as NeuronNode, n, ctx.profile, ctx.dt, ctx.reset);
  } catch (e) {
    throw new NirError("ir.shape_mismatch", (e as Error).message, { node: fn.name });
  }
  checkDifferentiable(fn, c, ctx);
  const ai = buf(ctx, c.ai), bi = buf(ctx, c.bi), av = buf(ctx, c.av), bv = buf(ctx, c.bv), cv = buf(ctx, c.cv);
  const theta = buf(ctx, c.theta), vreset = buf(ctx, c.vreset);
  const { current, spiking } = c;
  const subtract = c.reset === "subtract";
  const attach = ctx.attachReset;
  const sg = ctx.surrogate.grad;
  let B = 0;
  let v = ctx.alloc(0), i = ctx.alloc(0), dv = ctx.alloc(0), di = ctx.alloc(0), vPre = ctx.alloc(0);
  return {
    name: fn.name, type: fn.node.type, inSize: n, outSize: n, params: [], spiking,
    resize(T, b) {
      B = b;
      v = ctx.alloc(B * n); i = ctx.alloc(B * n); dv = ctx.alloc(B * n); di = ctx.alloc(B * n);
      vPre = ctx.alloc(T * B * n);
    },
    begin() { v.fill(0); i.fill(0); dv.fill(0); di.fill(0); },
    forward(x, y, t0, t1) {
      const V = v, I = i, P = vPre;
      for (let t = t0; t < t1; t++) {
        for (let b = 0; b < B; b++) {
          const base = (t * B + b) * n, sb = b * n;
          for (let k = 0; k < n; k++) {
            const s = sb + k, idx = base + k;
            let drive = x[idx];
            if (current) {
              drive = ai[k] * I[s] + bi[k] * drive;
              I[s] = drive;
            }
            const vp = av[k] * V[s] + bv[k] * drive + cv[k];
            P[idx] = vp;
            if (!spiking) {
              y[idx] = vp;
              V[s] = vp;
            } else if (vp > theta[k]) {
              y[idx] = 1;
              V[s] = subtract ? vp - theta[k] : vreset[k];
            } else {
              y[idx] = 0;
              V[s] = vp;
            }
          }
        }
      }
    },
    backward(_x, _y, dy, dx, t0, t1) {
      const DV = dv, DI = di, P = vPre;
      for (let t = t1 - 1; t >= t0; t--) {
        for (let b = 0; b < B; b++) {
          const base = (t * B + b) * n, sb = b * n;
          for (let k = 0; k < n; k++) {
            const s = sb + k, idx = base + k;
            let dvp: number;
            if (spiking) {
              const vp = P[idx];
              const u = vp - theta[k];
              let dz = dy[idx];
              if (attach) dz += DV[s] * (subtract ? -theta[k] : vreset[k] - vp);
              dvp = (subtract || u <= 0 ? DV[s] : 0) + dz * sg(u);
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
