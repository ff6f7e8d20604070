/**
 * Conv1d and Conv2d (PyTorch geometry; Conv1d is a 1 × L Conv2d). Weights and bias are
 * quantised to the profile's grid; a scalar bias is broadcast over the output channels. A conv
 * without bias feeding an IF runs fused with it (fuse.ts): as a conv→IF layer of a wasm chain
 * under the profile's IF rule (ops/chain-if.ts), or, for a lazy IF, in the JavaScript conv→IF
 * kernel.
 */
import { toFloat64 } from "../../ir/tensor.js";
import type { Conv1d, Conv2d } from "../../ir/types.js";
import { convGeometry } from "../graph.js";
import { convParams, convStep } from "../ops/conv.js";
import { convIFStep } from "../ops/conv-if.js";
import { neuronState } from "../ops/neuron.js";
import type { Port } from "../ops/buffers.js";
import { quantize, type EmitContext, type Lowering, type PrepareContext, type Prepared } from "./lowering.js";

function prepare(node: Conv1d | Conv2d, ctx: PrepareContext): Prepared {
  const g = convGeometry(ctx.fn, ctx.fn.inShape);
  const wq = quantize(Float64Array.from(toFloat64(node.weight)), ctx.profile.weightScale);
  const b = node.bias ? quantize(Float64Array.from(toFloat64(node.bias)), ctx.profile.weightScale) : null;
  const bias = b && b.length === 1 && g.cout > 1 ? new Float64Array(g.cout).fill(b[0]) : b;
  return { kind: "conv", conv: convParams(g, wq, bias) };
}

function emit(ctx: EmitContext): Port {
  const outp = ctx.out();
  const conv = ctx.prep.conv!;
  const k = ctx.kernel;
  if (k.via === "js") {
    ctx.step(convStep(conv, ctx.inp!, outp));
    return outp;
  }
  const target = k.via === "fused" ? k.neuron : k.neuron!;
  const c = ctx.prepared(target).coefs!;
  const spikes = ctx.portOf(target);
  if (k.via === "chain") {
    ctx.neuronState(target, neuronState(c.n, ctx.batch));
    ctx.chainLayer(k.layer, ctx.inp!, spikes, target);
  } else {
    // the IF's v lives in the kernel, position-major
    const kernel = convIFStep(conv, ctx.inp!, outp, { gain: c.bv, theta: c.theta, vreset: c.vreset, spikes });
    ctx.neuronState(target, { ...neuronState(c.n, ctx.batch), v: kernel.v });
    ctx.step(kernel.step);
  }
  return outp;
}

/** The lowering of Conv1d and Conv2d. */
export const convLowering: Lowering<Conv1d | Conv2d> = { family: "conv", prepare, emit };
