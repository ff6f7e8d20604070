/**
 * SumPool2d and AvgPool2d (zero padding, PyTorch output size): y = scale · Σ window, scale = 1
 * (sum) or 1/(kh·kw) (average). In batch-1 runtimes with wasm a pool runs as a chain layer.
 */
import type { AvgPool2d, SumPool2d } from "../../ir/types.js";
import { poolGeometry } from "../graph.js";
import { poolStep } from "../ops/pool.js";
import type { Port } from "../ops/buffers.js";
import type { EmitContext, Lowering, PrepareContext, Prepared } from "./lowering.js";

function prepare(node: SumPool2d | AvgPool2d, ctx: PrepareContext): Prepared {
  const g = poolGeometry(ctx.fn, ctx.fn.inShape);
  return { kind: "pool", pool: { g, scale: node.type === "AvgPool2d" ? 1 / (g.kh * g.kw) : 1 } };
}

function emit(ctx: EmitContext): Port {
  const outp = ctx.out();
  const { g, scale } = ctx.prep.pool!;
  if (ctx.kernel.via === "chain") ctx.chainLayer(ctx.kernel.layer, ctx.inp!, outp, null);
  else ctx.step(poolStep(g, scale, ctx.inp!, outp));
  return outp;
}

/** The lowering of SumPool2d and AvgPool2d. */
export const poolLowering: Lowering<SumPool2d | AvgPool2d> = { family: "pool", prepare, emit };
