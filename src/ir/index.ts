/** The NIR intermediate representation: node records, tensors, errors, graph construction and type inference. */
export * from "./errors.js";
export * from "./tensor.js";
export * from "./types.js";
export * from "./display.js";
export * from "./guards.js";
export * from "./nan.js";
export * from "./own.js";
export * from "./plain.js";
export * from "./shapes.js";
export * from "./registry.js";
export {
  zerosLike, shapeTensor, shapeValues, intScalar, promoteDtypes, broadcastShapes, onesLikeTimes,
} from "./params.js";
// Constructors share their names with the record types of types.ts; these explicit exports
// (value + type alias) take precedence over the star export above.
export {
  Input, Output, Affine, Linear, Scale, Conv1d, Conv2d, SumPool2d, AvgPool2d, Flatten, Delay, Threshold,
  I, IF, LI, LIF, CubaLI, CubaLIF,
  setIOShape, weightTypes, intOrInts, paddingParam, convGroups, convInputChannels, convSpatialOutput, setConvTypes,
  completeConvTypes, completePoolTypes, completeFlattenTypes, matrixOutputShape, convOutputShape, poolOutputShape, flattenOutputShapeFor,
} from "./primitives/index.js";
export type {
  CommonOptions, InputOptions, OutputOptions, AffineOptions, LinearOptions, ScaleOptions, ConvOptions, PoolOptions,
  FlattenOptions, DelayOptions, ThresholdOptions, IOptions, IFOptions, LIOptions, LIFOptions, CubaLIOptions, CubaLIFOptions,
} from "./primitives/index.js";
export { NIRGraph, fromList, graphInputs, graphOutputs, isNIRGraph } from "./graph.js";
export type { NodesLike, NIRGraphOptions, FromListOptions } from "./graph.js";
export { inferTypes, checkTypes, checkEdges, updateGraphTypes, isUndefinedType, outputShapeFor, parameterShape } from "./inference.js";
export type { InferOptions } from "./inference.js";
export * from "./divergence.js";
export * from "./data.js";
export * from "./dict.js";
export * from "./version.js";
