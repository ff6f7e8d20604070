/**
 * Delay: y[t] = x[t − d], d = round(delay / dt) steps per element (a ring buffer per batch item).
 */
import { NirError } from "../../ir/errors.js";
import { toFloat64 } from "../../ir/tensor.js";
import type { Delay } from "../../ir/types.js";
import { delayState, delayStep } from "../ops/elementwise.js";
import type { Port } from "../ops/buffers.js";
import type { EmitContext, Lowering, PrepareContext, Prepared } from "./lowering.js";

function prepare(node: Delay, ctx: PrepareContext): Prepared {
  const d = toFloat64(node.delay);
  const n = ctx.size;
  const steps = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const v = d.length === n ? d[k] : d[0];
    if (!(v >= 0)) throw new NirError("ir.invalid_value", `delay must be ≥ 0 seconds, got ${v}`, { node: ctx.name, field: "delay" });
    steps[k] = Math.round(v / ctx.dt);
  }
  return { kind: "delay", delaySteps: steps };
}

function emit(ctx: EmitContext): Port {
  const outp = ctx.out();
  const steps = ctx.prep.delaySteps!;
  const st = delayState(steps, ctx.batch);
  ctx.delay(st);
  ctx.step(delayStep(steps, st, ctx.inp!, outp));
  return outp;
}

/** The lowering of Delay. */
export const delayLowering: Lowering<Delay> = { family: "delay", prepare, emit };
