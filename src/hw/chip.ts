/**
 * The one interface over every chip: `checkFit`, `exportTo`, `emulate` (dispatch by chip /
 * by `config.chip`), plus `fitTable` for the CLI's chips-as-columns summary.
 */
import { attachDisplay } from "../ir/display.js";
import { NirError } from "../ir/errors.js";
import { refuseNaNParameters } from "../ir/nan.js";
import type { Tensor } from "../ir/tensor.js";
import type { NIRGraph } from "../ir/types.js";
import { emulateLoihi2Network, exportLoihi2Network } from "./loihi2/conv.js";
import type { Loihi2Config } from "./loihi2/export.js";
import { checkFitLoihi2 } from "./loihi2/fit.js";
import { emulateSpeck } from "./speck/emulate.js";
import { exportSpeck, type SpeckConfig } from "./speck/export.js";
import { checkFitSpeck } from "./speck/fit.js";
import { emulateSpinnaker2Network, exportSpinnaker2Network } from "./spinnaker2/conv.js";
import { checkFitSpinnaker2, type S2Config } from "./spinnaker2/index.js";
import { CHIPS, type Chip, type ChipEmulateOptions, type EmulationResult, type ChipExportOptions, type ChipFitOptions, type FitReport } from "./types.js";
import { emulateXylo, type XyloSpec } from "./xylo/emulate.js";
import { exportXylo, type XyloConfig } from "./xylo/export.js";
import { checkFitXylo } from "./xylo/fit.js";

/** Any exported chip configuration (plain JSON). */
export type ChipConfig = SpeckConfig | XyloConfig | Loihi2Config | S2Config;

function chipOf(chip: unknown): Chip {
  if (typeof chip === "string" && (CHIPS as readonly string[]).includes(chip)) return chip as Chip;
  throw new NirError("hw.config", `unknown chip "${String(chip)}"`, { field: "chip", hint: `use one of ${CHIPS.join(", ")}` });
}

/** Does `graph` fit `chip`? Returns every violated rule with node, limit, actual value and fix. */
export function checkFit(graph: NIRGraph, chip: Chip, opts: ChipFitOptions = {}): FitReport {
  const c = chipOf(chip);
  const report = c === "speck" ? checkFitSpeck(graph) : c === "xylo" ? checkFitXylo(graph, opts) : c === "loihi2" ? checkFitLoihi2(graph, opts) : checkFitSpinnaker2(graph, opts);
  return attachDisplay(report, "fit");
}

/** Maps and quantises `graph` for `chip` (dt and reset required); JSON shaped like the vendor SDK's structures. */
export function exportTo(chip: Chip, graph: NIRGraph, opts: ChipExportOptions): ChipConfig {
  const c = chipOf(chip);
  refuseNaNParameters(graph, `export to ${c}`);
  const config = c === "speck" ? exportSpeck(graph, opts) : c === "xylo" ? exportXylo(graph, opts) : c === "loihi2" ? exportLoihi2Network(graph, opts) : exportSpinnaker2Network(graph, opts);
  return attachDisplay(config, "chipConfig");
}

/** Runs an exported configuration with the chip's own arithmetic; input is (T, ...inputShape). */
export function emulate(config: ChipConfig | XyloSpec, input: Tensor, opts: ChipEmulateOptions = {}): EmulationResult {
  const c = chipOf((config as { chip?: unknown }).chip ?? ("weights_in" in config ? "xylo" : undefined));
  const r = c === "speck" ? emulateSpeck(config as SpeckConfig, input, opts) : c === "xylo" ? emulateXylo(config as XyloSpec, input, opts) : c === "loihi2" ? emulateLoihi2Network(config as Loihi2Config, input, opts) : emulateSpinnaker2Network(config as S2Config, input, opts);
  return attachDisplay(r, "simulation");
}

/** One column of the fit table. */
export interface FitTableColumn {
  chip: Chip;
  verdict: "fits" | "does not fit";
  reason: string;
  report: FitReport;
}

/** Checks `graph` on every chip: verdict and first blocking reason per chip. */
export function fitTable(graph: NIRGraph, opts: ChipFitOptions = {}): FitTableColumn[] {
  return CHIPS.map((chip) => {
    const report = checkFit(graph, chip, opts);
    const v = report.violations[0];
    return {
      chip,
      verdict: report.fits ? "fits" : "does not fit",
      reason: v ? `${v.node}: ${v.constraint} (limit ${v.limit}, actual ${v.actual})` : "",
      report,
    };
  });
}
