/**
 * nirkit layer `data`: event streams (typed arrays), tonic-style transforms and framing,
 * N-MNIST and Braille readers, the paper's CNN probe input, the dataset manifest and resolver.
 */
export * from "./events.js";
export * from "./nmnist.js";
export * from "./prophesee.js";
export * from "./aedat4.js";
export * from "./lz4.js";
export * from "./nmnist-dataset.js";
export * from "./frames.js";
export * from "./transforms.js";
export * from "./random.js";
export * from "./pickle.js";
export * from "./braille.js";
export * from "./probe.js";
export * from "./nir-data.js";
export * from "./resolve.js";
export * from "./paper-files.js";
export * from "./requirements.js";
export * from "./fetch.js";
export * from "./summary.js";
export * from "./spike-input.js";
export * from "./random-tensors.js";
