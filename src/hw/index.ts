/** nirkit layer hw: chip fit checks, quantising exporters and integer emulators for Speck, Xylo Audio 2, Loihi 2, SpiNNaker2. */
export * from "./types.js";
export { checkFit, exportTo, emulate, fitTable, type ChipConfig, type FitTableColumn } from "./chip.js";
export { maxBipartiteMatching, type Matching } from "./matching.js";
export { speckKernelMemory, speckNeuronMemory, SPECK_KERNEL_MEMORY, SPECK_NEURON_MEMORY } from "./speck/constraints.js";
export type { SpeckConfig, SpeckLayerConfig } from "./speck/export.js";
export type { XyloConfig } from "./xylo/export.js";
export { xyloDecay, xyloSatAdd, type XyloSpec } from "./xylo/emulate.js";
export type { Loihi2Config, Loihi2Layer, Loihi2Synapse } from "./loihi2/export.js";
export { lavaDecay, lavaWrapU } from "./loihi2/emulate.js";
export { writeNetxHdf5, netxTree } from "./loihi2/hdf5.js";
export type { S2Config, S2Population, S2Projection } from "./spinnaker2/export.js";
export type { S2ConvProjection, S2ConvParams } from "./spinnaker2/conv.js";
