/**
 * The six neuron primitives (I, IF, LI, LIF, CubaLI, CubaLIF): per-neuron coefficients for the
 * profile and dt (ops/neuron.ts holds the update equations), a state per batch, and the step.
 * A uniform current-based layer with two sources sums them inside its own loop; a lazy IF fed by
 * a fused layer is updated inside that layer's kernel and adds no step of its own.
 */
import { NirError } from "../../ir/errors.js";
import type { NIRPrimitive } from "../../ir/types.js";
import { neuronCoefs, neuronState } from "../ops/neuron.js";
import { cubaSumStep } from "../ops/cuba-step.js";
import { neuronStep } from "../ops/neuron-step.js";
import type { Port } from "../ops/buffers.js";
import type { EmitContext, Lowering, PrepareContext, Prepared } from "./lowering.js";

/** A neuron node. */
export type NeuronNode = Extract<NIRPrimitive, { type: "I" | "IF" | "LI" | "LIF" | "CubaLI" | "CubaLIF" }>;

function prepare(node: NeuronNode, ctx: PrepareContext): Prepared {
  try {
    return { kind: "neuron", coefs: neuronCoefs(node, ctx.size, ctx.profile, ctx.dt, ctx.reset) };
  } catch (e) {
    throw new NirError("ir.shape_mismatch", (e as Error).message, { node: ctx.name });
  }
}

function emit(ctx: EmitContext): Port {
  const outp = ctx.out();
  if (ctx.fusedAway) return outp; // updated inside its source layer's kernel
  const c = ctx.prep.coefs!;
  const st = neuronState(c.n, ctx.batch);
  ctx.neuronState(ctx.name, st);
  const { summed, summedPorts } = ctx;
  const op = !summed || summedPorts ? { kind: "cuba" as const, c, st, inp: summedPorts ?? [ctx.inp!], outp } : undefined;
  ctx.step(summed ? cubaSumStep(c, st, summed[0], summed[1], outp) : neuronStep(c, st, ctx.inp!, outp), op);
  return outp;
}

/** The lowering of the neuron primitives. */
export const neuronLowering: Lowering<NeuronNode> = { family: "neuron", prepare, emit };
