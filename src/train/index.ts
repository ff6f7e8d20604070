/**
 * nirkit layer train: surrogate-gradient backpropagation through time for NIR graphs, on the
 * simulator's forward pass. `train(graph, data, options)` → {graph, history} (`trainAsync` with worker threads);
 * `gradients(graph, batch, options)` → one batch's loss and gradients; builders for fresh graphs.
 */
export { train, trainAsync } from "./train.js";
export { simulatePredictions } from "./evaluate.js";
export type { EpochRecord, TrainOptions, TrainProgress, TrainResult } from "./train.js";
export { gradients } from "./gradients.js";
export type { Batch, GradientOptions, GradientResult } from "./gradients.js";
export { compileTrainer } from "./network.js";
export type { NetOptions, TrainNet } from "./network.js";
export { brailleData, nmnistData, tensorSet } from "./data.js";
export type { BrailleDataOptions, NmnistDataOptions, SampleSet, TrainData } from "./data.js";
export { LOSSES } from "./loss.js";
export type { LossName } from "./loss.js";
export { makeOptimizer } from "./optim.js";
export type { Optimizer, OptimizerOptions } from "./optim.js";
export { LR_SCHEDULES, scheduledLr } from "./schedule.js";
export type { LrSchedule } from "./schedule.js";
export { kaimingUniform } from "./init.js";
export { parseSurrogate } from "./surrogate.js";
export type { Surrogate, SurrogateKind } from "./surrogate.js";
export { recurrentCuba, scnn } from "./builders.js";
export type { ConvBlock, RecurrentCubaOptions, ScnnOptions } from "./builders.js";
export { graphWithParams } from "./export.js";
export { trainingSession, TrainingSession } from "./session.js";
export type { SessionOptions, SessionResult, SessionRunOptions, StopPoint } from "./session.js";
export { holdOut, rangeView } from "./holdout.js";
export { BRAILLE_PRESET, NMNIST_PRESET, TRAIN_PRESETS } from "./presets.js";
export type { TrainPreset } from "./presets.js";
