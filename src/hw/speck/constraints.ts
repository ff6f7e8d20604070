/**
 * Speck 2e/2f (DYNAP-CNN) limits, from sinabs (backend/dynapcnn/chips/dynapcnn.py
 * `get_constraints`, dynapcnn_layer.py `memory_summary`) and the Speck overview docs, as
 * summarised in hardware-and-peers.md §2.1.
 */

/** Kernel memory (entries) per core 0..8. */
export const SPECK_KERNEL_MEMORY = [16384, 16384, 16384, 32768, 32768, 65536, 65536, 16384, 16384];
/** Neuron memory (entries) per core 0..8. */
export const SPECK_NEURON_MEMORY = [65536, 65536, 65536, 32768, 32768, 16384, 16384, 16384, 16384];
/** Bias memory (entries) per core. */
export const SPECK_BIAS_MEMORY = 1024;
/** Number of DYNAP-CNN cores. */
export const SPECK_CORES = 9;
/** Destinations (fan-out) per core. */
export const SPECK_MAX_DESTINATIONS = 2;
/** Largest input feature map side. */
export const SPECK_MAX_INPUT_SIDE = 128;
/** Largest output feature map side. */
export const SPECK_MAX_OUTPUT_SIDE = 64;
/** Largest channel count. */
export const SPECK_MAX_CHANNELS = 1024;
/** Largest kernel side. */
export const SPECK_MAX_KERNEL = 16;
/** Allowed strides. */
export const SPECK_STRIDES = [1, 2, 4, 8];
/** Largest padding. */
export const SPECK_MAX_PADDING = 7;
/** Allowed sum-pooling sizes (square). */
export const SPECK_POOLS = [1, 2, 4];
/** Readout layer: at most this many classes. */
export const SPECK_MAX_READOUT = 15;
/** Weight bits (signed). */
export const SPECK_WEIGHT_BITS = 8;
/** Neuron state / threshold bits (signed). */
export const SPECK_STATE_BITS = 16;

/** ⌈log2 n⌉ for n ≥ 1 (0 for n = 1). */
export function ceilLog2(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n) - 1e-12);
}

/** Kernel memory a layer needs: c · 2^(⌈log2(kx·ky)⌉ + ⌈log2 f⌉). */
export function speckKernelMemory(cIn: number, kH: number, kW: number, cOut: number): number {
  return cIn * 2 ** (ceilLog2(kH * kW) + ceilLog2(cOut));
}

/** Neuron memory a layer needs: f · 2^(⌈log2 fy⌉ + ⌈log2 fx⌉) for an f × fy × fx output map. */
export function speckNeuronMemory(cOut: number, hOut: number, wOut: number): number {
  return cOut * 2 ** (ceilLog2(hOut) + ceilLog2(wOut));
}
