/**
 * The one interface over every chip: `checkFit`, `exportTo`, `emulate`, dispatched through one
 * table of chip backends keyed by chip name (by `config.chip` for a configuration), plus
 * `fitTable` for the CLI's chips-as-columns summary.
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
import type { S2Config } from "./spinnaker2/export.js";
import { checkFitSpinnaker2 } from "./spinnaker2/fit.js";
import { CHIPS, type Chip, type ChipEmulateOptions, type EmulationResult, type ChipExportOptions, type ChipFitOptions, type FitReport } from "./types.js";
import { emulateXylo, type XyloSpec } from "./xylo/emulate.js";
import { exportXylo, type XyloConfig } from "./xylo/export.js";
import { checkFitXylo } from "./xylo/fit.js";

/** Any exported chip configuration (plain JSON). */
export type ChipConfig = SpeckConfig | XyloConfig | Loihi2Config | S2Config;

/** What each chip provides: its fit check, its exporter and its emulator. */
export interface ChipBackend {
  checkFit(graph: NIRGraph, opts: ChipFitOptions): FitReport;
  exportTo(graph: NIRGraph, opts: ChipExportOptions): ChipConfig;
  emulate(config: ChipConfig | XyloSpec, input: Tensor, opts: ChipEmulateOptions): EmulationResult;
}

/** Every chip's backend, keyed by chip name. */
export const CHIP_BACKENDS: Readonly<Record<Chip, ChipBackend>> = {
  speck: { checkFit: (g) => checkFitSpeck(g), exportTo: exportSpeck, emulate: (c, x, o) => emulateSpeck(c as SpeckConfig, x, o) },
  xylo: { checkFit: checkFitXylo, exportTo: exportXylo, emulate: (c, x, o) => emulateXylo(c as XyloSpec, x, o) },
  loihi2: { checkFit: checkFitLoihi2, exportTo: exportLoihi2Network, emulate: (c, x, o) => emulateLoihi2Network(c as Loihi2Config, x, o) },
  spinnaker2: { checkFit: checkFitSpinnaker2, exportTo: exportSpinnaker2Network, emulate: (c, x, o) => emulateSpinnaker2Network(c as S2Config, x, o) },
};

function chipOf(chip: unknown): Chip {
  if (typeof chip === "string" && (CHIPS as readonly string[]).includes(chip)) return chip as Chip;
  throw new NirError("hw.config", `unknown chip "${String(chip)}"`, { field: "chip", hint: `use one of ${CHIPS.join(", ")}` });
}

/** Does `graph` fit `chip`? Returns every violated rule with node, limit, actual value and fix. */
export function checkFit(graph: NIRGraph, chip: Chip, opts: ChipFitOptions = {}): FitReport {
  return attachDisplay(CHIP_BACKENDS[chipOf(chip)].checkFit(graph, opts), "fit");
}

/** Maps and quantises `graph` for `chip` (dt and reset required); JSON shaped like the vendor SDK's structures. */
export function exportTo(chip: Chip, graph: NIRGraph, opts: ChipExportOptions): ChipConfig {
  const c = chipOf(chip);
  refuseNaNParameters(graph, `export to ${c}`);
  return attachDisplay(CHIP_BACKENDS[c].exportTo(graph, opts), "chipConfig");
}

/** Runs an exported configuration with the chip's own arithmetic; input is (T, ...inputShape). */
export function emulate(config: ChipConfig | XyloSpec, input: Tensor, opts: ChipEmulateOptions = {}): EmulationResult {
  const c = chipOf((config as { chip?: unknown }).chip ?? ("weights_in" in config ? "xylo" : undefined));
  return attachDisplay(CHIP_BACKENDS[c].emulate(config, input, opts), "simulation");
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
