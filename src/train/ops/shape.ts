/**
 * Nodes that move values without arithmetic: Input/Output (pass-through; an inner subgraph's
 * Input/Output after flattening), Flatten (row-major, so the values are unchanged) and Delay
 * (y_t = x_(t−d), d = round(delay/dt) steps per element, zero before; as the simulator).
 */
import { NirError } from "../../ir/errors.js";
import { sizeOf, toFloat64 } from "../../ir/tensor.js";
import type { NIRPrimitive } from "../../ir/types.js";
import type { FlatNode } from "../../sim/graph.js";
import type { Lowering, OpContext, TrainOp } from "./types.js";

function identityOp(fn: FlatNode): TrainOp {
  const n = sizeOf(fn.inShape);
  let B = 0;
  return {
    name: fn.name, type: fn.node.type, inSize: n, outSize: n, params: [], spiking: false,
    resize(_T, b) { B = b; },
    begin() { /* stateless */ },
    forward(x, y, t0, t1) { y.set(x.subarray(t0 * B * n, t1 * B * n), t0 * B * n); },
    backward(_x, _y, dy, dx, t0, t1) { if (dx) dx.set(dy.subarray(t0 * B * n, t1 * B * n), t0 * B * n); },
  };
}

function delayOp(fn: FlatNode, ctx: OpContext): TrainOp {
  const node = fn.node as Extract<NIRPrimitive, { type: "Delay" }>;
  const n = sizeOf(fn.outShape);
  const d = toFloat64(node.delay);
  const steps = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const v = d.length === n ? d[k] : d[0];
    if (!(v >= 0)) throw new NirError("ir.invalid_value", `delay must be ≥ 0 seconds, got ${v}`, { node: fn.name, field: "delay" });
    steps[k] = Math.round(v / ctx.dt);
  }
  let B = 0, T = 0;
  return {
    name: fn.name, type: "Delay", inSize: n, outSize: n, params: [], spiking: false,
    resize(t, b) { T = t; B = b; },
    begin() { /* the input history is the whole-window buffer */ },
    forward(x, y, t0, t1) {
      for (let t = t0; t < t1; t++) {
        for (let b = 0; b < B; b++) {
          const o = (t * B + b) * n;
          for (let k = 0; k < n; k++) {
            const s = t - steps[k];
            y[o + k] = s >= 0 ? x[(s * B + b) * n + k] : 0;
          }
        }
      }
    },
    backward(_x, _y, dy, dx, t0, t1) {
      if (!dx) return;
      for (let t = t0; t < t1; t++) {
        for (let b = 0; b < B; b++) {
          const o = (t * B + b) * n;
          for (let k = 0; k < n; k++) {
            const s = t + steps[k];
            dx[o + k] = s < T ? dy[(s * B + b) * n + k] : 0;
          }
        }
      }
    },
  };
}

/** Input/Output: pass-through. */
export const passThrough: Lowering = { create: (fn) => identityOp(fn) };
/** Flatten: values unchanged (row-major). */
export const flatten: Lowering = { create: (fn) => identityOp(fn) };
/** Delay by whole steps. */
export const delay: Lowering = { create: delayOp };
