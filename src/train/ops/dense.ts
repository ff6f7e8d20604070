/**
 * Affine (y = W·x + b), Linear (y = W·x) and Scale (y = s ⊙ x) for training. Affine and Linear
 * run through the dense kernels over all rows of the range at once; W is (out, in).
 */
import { NirError } from "../../ir/errors.js";
import { sizeOf } from "../../ir/tensor.js";
import type { NIRPrimitive } from "../../ir/types.js";
import type { FlatNode } from "../../sim/graph.js";
import type { Buf } from "../kernels/types.js";
import { constantOf, paramOf } from "./param.js";
import type { Lowering, OpContext, Param, TrainOp } from "./types.js";

function denseOp(fn: FlatNode, ctx: OpContext, withBias: boolean): TrainOp {
  const node = fn.node as Extract<NIRPrimitive, { type: "Affine" | "Linear" }>;
  const ws = node.weight.shape;
  if (ws.length !== 2) throw new NirError("train.not_differentiable", `${node.type} weight of shape [${ws.join(",")}] (batched weights) is not supported by training`, { node: fn.name, field: "weight", hint: "use a 2-D weight (out, in)" });
  const [nOut, nIn] = ws;
  const W = paramOf(ctx, fn.name, "weight", node.weight, nIn, "weight");
  const params: Param[] = [W];
  let bias: Param | null = null;
  if (withBias && node.type === "Affine") {
    bias = paramOf(ctx, fn.name, "bias", node.bias, nIn, "bias");
    params.push(bias);
  }
  const g = { nIn, nOut };
  let B = 0;
  return {
    name: fn.name, type: node.type, inSize: nIn, outSize: nOut, params, spiking: false,
    resize(_T, b) { B = b; },
    begin() { /* stateless */ },
    forward(x, y, t0, t1) {
      const r0 = t0 * B, rows = (t1 - t0) * B;
      ctx.kernels.affineForward(g, W.data, bias ? bias.data : null, x.subarray(r0 * nIn), rows, y.subarray(r0 * nOut));
    },
    backward(x, _y, dy, dx, t0, t1) {
      const r0 = t0 * B, rows = (t1 - t0) * B;
      ctx.kernels.affineBackward(g, W.data, x.subarray(r0 * nIn), dy.subarray(r0 * nOut), rows, W.grad, bias ? bias.grad : null, dx ? dx.subarray(r0 * nIn) : null);
    },
    atZero: bias ? { value: bias.data, param: bias } : undefined,
  };
}

function scaleOp(fn: FlatNode, ctx: OpContext): TrainOp {
  const node = fn.node as Extract<NIRPrimitive, { type: "Scale" }>;
  const n = sizeOf(fn.outShape);
  const s: Buf = constantOf(ctx, fn.name, "scale", node.scale, n);
  let B = 0;
  return {
    name: fn.name, type: "Scale", inSize: n, outSize: n, params: [], spiking: false,
    resize(_T, b) { B = b; },
    begin() { /* stateless */ },
    forward(x, y, t0, t1) {
      for (let r = t0 * B; r < t1 * B; r++) for (let k = 0, o = r * n; k < n; k++) y[o + k] = s[k] * x[o + k];
    },
    backward(_x, _y, dy, dx, t0, t1) {
      if (!dx) return;
      for (let r = t0 * B; r < t1 * B; r++) for (let k = 0, o = r * n; k < n; k++) dx[o + k] = s[k] * dy[o + k];
    },
  };
}

/** Affine: W (out, in) and bias are trainable. */
export const affine: Lowering = { create: (fn, ctx) => denseOp(fn, ctx, true) };
/** Linear: W (out, in) is trainable. */
export const linear: Lowering = { create: (fn, ctx) => denseOp(fn, ctx, false) };
/** Scale: the per-element scale is a constant (gradient flows through it to the input). */
export const scale: Lowering = { create: scaleOp };
