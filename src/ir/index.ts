/** The NIR intermediate representation: node records, tensors, errors, graph construction and type inference. */
export * from "./errors.js";
export * from "./tensor.js";
export * from "./types.js";
export * from "./display.js";
