/**
 * Affine and Linear: y = W·x + b per weight block (Linear: b = 0). Weights are quantised to the
 * profile's grid and stored transposed (ops/linear.ts); a bias of zeros is dropped. An affine
 * feeding an IF with one value per constant may run as an affine→IF layer of a wasm chain, under
 * the profile's IF rule (fuse.ts, ops/chain-if.ts).
 */
import { sizeOf, toFloat64 } from "../../ir/tensor.js";
import type { Affine, Linear } from "../../ir/types.js";
import { affineStep, transposeWeight } from "../ops/linear.js";
import { neuronState } from "../ops/neuron.js";
import type { Port } from "../ops/buffers.js";
import { quantize, type EmitContext, type Lowering, type PrepareContext, type Prepared } from "./lowering.js";

function prepare(node: Affine | Linear, ctx: PrepareContext): Prepared {
  const w = node.weight.shape;
  const nout = w[w.length - 2], nin = w[w.length - 1];
  const blocks = sizeOf(w.slice(0, -2));
  const wq = quantize(Float64Array.from(toFloat64(node.weight)), ctx.profile.weightScale);
  let bias: Float64Array | null = null;
  if (node.type === "Affine" && node.bias) {
    const b = quantize(Float64Array.from(toFloat64(node.bias)), ctx.profile.weightScale);
    if (b.some((x) => x !== 0)) {
      bias = new Float64Array(blocks * nout);
      for (let k = 0; k < bias.length; k++) bias[k] = b.length === bias.length ? b[k] : b[k % b.length];
    }
  }
  return { kind: "affine", affine: { blocks, nin, nout, wt: transposeWeight(wq, blocks, nout, nin), bias } };
}

function emit(ctx: EmitContext): Port {
  const outp = ctx.out();
  const p = ctx.prep.affine!;
  const k = ctx.kernel;
  if (k.via === "chain") {
    // the affine→IF layer of a chain: the chain holds the IF's v and writes its spikes
    const spikes = ctx.portOf(k.neuron!);
    ctx.neuronState(k.neuron!, neuronState(ctx.prepared(k.neuron!).coefs!.n, ctx.batch));
    ctx.chainLayer(k.layer, ctx.inp!, spikes, k.neuron);
    return outp;
  }
  const clean = new Uint8Array(ctx.batch);
  ctx.cleanFlags(clean);
  ctx.step(affineStep(p, ctx.inp!, outp, clean), { kind: "affine", p, inp: ctx.inp!, outp });
  return outp;
}

/** The lowering of Affine and Linear. */
export const affineLowering: Lowering<Affine | Linear> = { family: "affine", prepare, emit };
