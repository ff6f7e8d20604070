/**
 * Conv1d and Conv2d for training (PyTorch semantics; Conv1d is a 1 × L Conv2d). Weight
 * (C_out, C_in/groups, [kH,] kW) and bias (C_out) are trainable; the geometry is the simulator's.
 */
import { sizeOf } from "../../ir/tensor.js";
import type { NIRPrimitive } from "../../ir/types.js";
import { convGeometry, type FlatNode } from "../../sim/graph.js";
import { paramOf } from "./param.js";
import type { Lowering, OpContext, TrainOp } from "./types.js";

function convOp(fn: FlatNode, ctx: OpContext): TrainOp {
  const node = fn.node as Extract<NIRPrimitive, { type: "Conv1d" | "Conv2d" }>;
  const g = convGeometry(fn, fn.inShape);
  const fanIn = (g.cin / g.groups) * g.kh * g.kw;
  const W = paramOf(ctx, fn.name, "weight", node.weight, fanIn, "weight");
  const bias = paramOf(ctx, fn.name, "bias", node.bias, fanIn, "bias");
  const inSize = sizeOf(fn.inShape), outSize = sizeOf(fn.outShape);
  let B = 0;
  return {
    name: fn.name, type: node.type, inSize, outSize, params: [W, bias], spiking: false,
    resize(_T, b) { B = b; },
    begin() { /* stateless */ },
    forward(x, y, t0, t1) {
      const r0 = t0 * B;
      ctx.kernels.conv2dForward(g, W.data, bias.data, x.subarray(r0 * inSize), (t1 - t0) * B, y.subarray(r0 * outSize));
    },
    backward(x, _y, dy, dx, t0, t1) {
      const r0 = t0 * B;
      ctx.kernels.conv2dBackward(g, W.data, x.subarray(r0 * inSize), dy.subarray(r0 * outSize), (t1 - t0) * B, W.grad, bias.grad, dx ? dx.subarray(r0 * inSize) : null);
    },
  };
}

/** Conv1d: weight and bias trainable. */
export const conv1d: Lowering = { create: convOp };
/** Conv2d: weight and bias trainable. */
export const conv2d: Lowering = { create: convOp };
