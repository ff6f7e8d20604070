/** Test support: reference files, output capture, the seeded generator, tensor helpers, the h5py probe. */
export * from "./refs.js";
export * from "./stdout.js";
export * from "./rng.js";
export * from "./tensor.js";
export * from "./h5py.js";
export * from "./datasets.js";
