/** Xylo Audio 2 fit check (design rules, sizes, fan-out, dashes). */
import type { NIRGraph } from "../../ir/types.js";
import { CHIP_LABELS, type ChipFitOptions, type FitReport } from "../types.js";
import { planXylo, XYLO_MAX_FANOUT, XYLO_MAX_HIDDEN, XYLO_MAX_INPUTS, XYLO_MAX_OUTPUTS } from "./map.js";

/** Checks a graph against Xylo Audio 2; `opts.dt` (s) decides the dashes (default 1e-4 with a warning). */
export function checkFitXylo(graph: NIRGraph, opts: ChipFitOptions = {}): FitReport {
  const dt = opts.dt ?? 1e-4;
  const plan = planXylo(graph, dt, opts.timeUnit ?? "s");
  const warnings = [...plan.warnings];
  if (opts.dt === undefined) warnings.push("dt not given: dashes computed with dt = 1e-4 s (the paper's value)");
  if (opts.reset === "zero") warnings.push("Xylo always resets by subtraction; reset \"zero\" cannot be honoured");
  const synapses = [plan.wIn, plan.wRec, plan.wOut].reduce((a, w) => a + w.reduce((c, x) => c + (x !== 0 ? 1 : 0), 0), 0);
  return {
    chip: "xylo",
    chipLabel: CHIP_LABELS.xylo,
    fits: plan.violations.length === 0,
    violations: plan.violations,
    warnings,
    resources: [
      { resource: "input channels", used: plan.nIn, capacity: XYLO_MAX_INPUTS },
      { resource: "hidden neurons", used: plan.nHid, capacity: XYLO_MAX_HIDDEN },
      { resource: "readout neurons", used: plan.nOut, capacity: XYLO_MAX_OUTPUTS },
    ],
    neurons: plan.nHid + plan.nOut,
    synapses,
    fanOut: { used: plan.maxFanOut.value, capacity: XYLO_MAX_FANOUT },
    layers: [
      ...plan.hiddenNodes.map((h) => ({ name: "hidden", nodes: [h.node], neurons: h.size, synapses: 0 })),
      ...plan.readoutNodes.map((h) => ({ name: "readout", nodes: [h.node], neurons: h.size, synapses: 0 })),
    ],
  };
}
