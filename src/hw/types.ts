/**
 * Records shared by every chip exporter: the fit report, export options, the quantisation
 * error rows and the emulation result. All plain data (configs are JSON-serialisable).
 */
import type { Tensor } from "../ir/tensor.js";

/** The chips nirkit can check, export to and emulate. */
export type Chip = "speck" | "xylo" | "loihi2" | "spinnaker2";

/** Every supported chip, in the order tables list them. */
export const CHIPS: readonly Chip[] = ["speck", "xylo", "loihi2", "spinnaker2"];

/** Human-readable chip names. */
export const CHIP_LABELS: Record<Chip, string> = {
  speck: "Speck (DYNAP-CNN)",
  xylo: "Xylo Audio 2 (SYNS61201)",
  loihi2: "Loihi 2 (Lava fixed point)",
  spinnaker2: "SpiNNaker2 (py-spinnaker2)",
};

/** One broken rule: which node breaks which limit, by how much, and what to do. */
export interface FitViolation {
  node: string;
  constraint: string;
  limit: string | number;
  actual: string | number;
  fix: string;
}

/** Use of one chip resource against its capacity. */
export interface ResourceUse {
  resource: string;
  used: number;
  capacity: number;
}

/** One mapped layer (Speck: one core) with its resource needs. */
export interface FitLayer {
  name: string;
  nodes: string[];
  neurons: number;
  synapses: number;
  core?: number;
  kernelMemory?: number;
  neuronMemory?: number;
  biasMemory?: number;
}

/** The answer to "does this graph fit this chip?". */
export interface FitReport {
  chip: Chip;
  chipLabel: string;
  fits: boolean;
  violations: FitViolation[];
  warnings: string[];
  resources: ResourceUse[];
  neurons: number;
  synapses: number;
  fanOut: { used: number; capacity: number };
  layers: FitLayer[];
}

/** How NIR time constants are to be read: seconds, milliseconds or time steps. */
export type ChipTimeUnit = "s" | "ms" | "steps";

/** Reset after a spike. */
export type ChipResetMode = "zero" | "subtract";

/** Options of `checkFit` (dt in seconds; defaults to the paper's 1e-4 s with a warning). */
export interface ChipFitOptions {
  dt?: number;
  timeUnit?: ChipTimeUnit;
  reset?: ChipResetMode;
  /** SpiNNaker2: neurons per processing element (default 250). */
  maxAtomsPerCore?: number;
  /** SpiNNaker2: connection delay in steps (default 1, as s2_nir). */
  connDelay?: number;
}

/** Options of `exportTo`: `dt` (seconds) and `reset` are required, because NIR stores neither. */
export interface ChipExportOptions {
  dt: number;
  reset: ChipResetMode;
  /** Unit of the graph's tau values (default "s"); "steps" means tau counts time steps of dt. */
  timeUnit?: ChipTimeUnit;
  /** Speck: lower membrane bound; "threshold" = −v_threshold (sinabs import), "none" = −2^15, or a number in NIR units. */
  minVMem?: "threshold" | "none" | number;
  /** SpiNNaker2: conn_delay in steps (default 1). */
  connDelay?: number;
  /** SpiNNaker2: scale_weights (default true: max |w| → 127 per population). */
  scaleWeights?: boolean;
  /** SpiNNaker2: explicit weight scale overriding scaleWeights. */
  weightScale?: number;
  /** SpiNNaker2: integrator (default "FORWARD"). */
  integrator?: "FORWARD" | "EXPONENTIAL";
  /** SpiNNaker2: max_atoms_per_core per population (default 250). */
  maxAtomsPerCore?: number;
}

/** Quantisation error of one layer: integer/scale versus the float value. */
export interface QuantError {
  layer: string;
  field: string;
  scale: number;
  /** Largest |q/scale − w|. */
  maxAbsError: number;
  /** RMS error relative to max |w| (0 = exact). */
  relRmsError: number;
  /** Entries clipped at the integer range. */
  clipped: number;
}

/** Result of `emulate`: same shape as a simulator result, so it displays and records alike. */
export interface EmulationResult {
  chip: Chip;
  dt: number;
  profile: string;
  steps: number;
  batch: number;
  /** Output spikes (T, ...outShape). */
  output: Tensor;
  /** key "<node>.<v|i|spikes>" → (T, ...shape). */
  records: Record<string, Tensor>;
}

/** Options of `emulate`: record specs "node", "node:v", "node:i", "node:spikes". */
export interface ChipEmulateOptions {
  record?: string[];
}
