/** Every NIR primitive constructor, one file per family. */
export * from "./io.js";
export * from "./linear.js";
export * from "./conv.js";
export * from "./pooling.js";
export * from "./flatten.js";
export * from "./delay.js";
export * from "./threshold.js";
export * from "./neuron.js";
export type { CommonOptions } from "./common.js";
