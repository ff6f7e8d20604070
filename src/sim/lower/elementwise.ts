/**
 * Element-wise and pass-through primitives: Scale (y = s ⊙ x), Threshold (y = H(x − θ), a
 * Heaviside step), and Input, Output and Flatten, which move no data (their output port is the
 * input's, or a copy when the port had to exist earlier for a back edge).
 */
import { toFloat64 } from "../../ir/tensor.js";
import type { Flatten, Input, Output, Scale, Threshold } from "../../ir/types.js";
import { scaleStep } from "../ops/linear.js";
import { thresholdStep } from "../ops/elementwise.js";
import type { Port } from "../ops/buffers.js";
import { broadcast, type EmitContext, type Lowering, type PrepareContext, type Prepared } from "./lowering.js";

function emitPassThrough(ctx: EmitContext): Port {
  if (ctx.prep.kind === "input") return ctx.out();
  const src = ctx.inp!;
  if (!ctx.hasPort()) return src;
  // a back-edge source's port exists already: copy into it, marked "scan" for its readers
  const outp = ctx.out();
  const B = ctx.batch;
  ctx.step(() => {
    outp.out.set(src.out);
    for (let b = 0; b < B; b++) outp.nact[b] = -1;
  });
  return outp;
}

/** Input (the graph's own is where input is fed; a nested one passes through), Output and Flatten. */
export const passThroughLowering: Lowering<Input | Output | Flatten> = {
  family: "io",
  prepare: (node: Input | Output | Flatten, ctx: PrepareContext): Prepared => ({ kind: node.type === "Input" && ctx.flat.inputs.includes(ctx.name) ? "input" : "identity" }),
  emit: emitPassThrough,
};

/** Scale: y = s ⊙ x (a scalar s is broadcast). */
export const scaleLowering: Lowering<Scale> = {
  family: "elementwise",
  prepare: (node: Scale, ctx: PrepareContext): Prepared => ({ kind: "scale", scale: broadcast(toFloat64(node.scale), ctx.size) }),
  emit: (ctx) => {
    const outp = ctx.out();
    ctx.step(scaleStep(ctx.prep.scale!, ctx.inp!, outp));
    return outp;
  },
};

/** Threshold: y = 1 where x > θ, else 0. */
export const thresholdLowering: Lowering<Threshold> = {
  family: "elementwise",
  prepare: (node: Threshold, ctx: PrepareContext): Prepared => ({ kind: "threshold", theta: broadcast(toFloat64(node.threshold), ctx.size) }),
  emit: (ctx) => {
    const outp = ctx.out();
    ctx.step(thresholdStep(ctx.prep.theta!, ctx.inp!, outp));
    return outp;
  },
};
