/** Input/output: `.nir` HDF5 files, NIR graph data, `.npy` arrays, atomic writes. */
export * from "./atomic.js";
export * from "./npy.js";
