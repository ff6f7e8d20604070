/**
 * nirkit — the Neuromorphic Intermediate Representation in TypeScript.
 * Layers point downward: ir ← io ← sim ← train / hw / viz ← notebook / cli.
 */
export * from "./ir/index.js";
export * from "./io/index.js";
export * from "./sim/index.js";
export * from "./data/index.js";
export * from "./train/index.js";
export * from "./hw/index.js";
export * from "./viz/index.js";
export * from "./notebook/index.js";
