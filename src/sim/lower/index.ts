/**
 * The lowering table: one entry per IR primitive type tag (the same keys as the IR registry),
 * each from its family's file. `prepareNodes` runs every node's `prepare`; the runtime builder
 * (runtime.ts) runs every node's `emit`. A primitive without an entry has no simulator kernel.
 */
import { NirError } from "../../ir/errors.js";
import { sizeOf } from "../../ir/tensor.js";
import type { NIRPrimitive } from "../../ir/types.js";
import type { FlatGraph } from "../graph.js";
import type { Profile, ResetMode } from "../profiles.js";
import { affineLowering } from "./affine.js";
import { convLowering } from "./conv.js";
import { delayLowering } from "./delay.js";
import { passThroughLowering, scaleLowering, thresholdLowering } from "./elementwise.js";
import type { Lowering, Prepared } from "./lowering.js";
import { neuronLowering } from "./neuron.js";
import { poolLowering } from "./pool.js";

type LoweringTable = { [K in NIRPrimitive["type"]]: Lowering<Extract<NIRPrimitive, { type: K }>> };

/** How every primitive runs, keyed by its IR type tag. */
export const LOWERINGS: LoweringTable = {
  Input: passThroughLowering,
  Output: passThroughLowering,
  Flatten: passThroughLowering,
  Affine: affineLowering,
  Linear: affineLowering,
  Scale: scaleLowering,
  Threshold: thresholdLowering,
  Conv1d: convLowering,
  Conv2d: convLowering,
  SumPool2d: poolLowering,
  AvgPool2d: poolLowering,
  Delay: delayLowering,
  I: neuronLowering,
  IF: neuronLowering,
  LI: neuronLowering,
  LIF: neuronLowering,
  CubaLI: neuronLowering,
  CubaLIF: neuronLowering,
};

/** The lowering of a node's type (a NirError for a type the simulator has no kernel for). */
export function loweringOf(node: NIRPrimitive, name: string): Lowering {
  const lowering = (LOWERINGS as Record<string, Lowering | undefined>)[node.type];
  if (!lowering) throw new NirError("sim.unsupported", `no simulator kernel for node type ${node.type}`, { node: name });
  return lowering;
}

/** Every node's prepared parameters for a profile, dt and reset (the profile's own when undefined). */
export function prepareNodes(flat: FlatGraph, profile: Profile, dt: number, reset: ResetMode | undefined): Map<string, Prepared> {
  const out = new Map<string, Prepared>();
  for (const [name, fn] of flat.nodes) {
    const ctx = { name, fn, flat, profile, dt, reset: reset ?? profile.reset, size: sizeOf(fn.outShape) };
    out.set(name, loweringOf(fn.node, name).prepare(fn.node, ctx));
  }
  return out;
}

export type { EmitContext, LayerKernel, Lowering, Prepared } from "./lowering.js";
