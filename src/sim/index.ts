/** nirkit layer sim: compile NIR graphs into plans, run them as each platform would, compare activities. */
export { compile, simulate } from "./compile.js";
export type { CompileOptions, EventInput, ExplainRow, KernelFamily, Plan, RunOptions, SimInput, SimResult } from "./types.js";
export { PROFILES, profileNames } from "./profiles.js";
export type { Profile, ProfileName, ResetMode } from "./profiles.js";
export { activitySimilarity, argmax, cosineSimilarity, meanOverTime, spikeCounts, spikeSteps, spikeTotal } from "./metrics.js";
export { flattenGraph, scheduleGraph } from "./graph.js";
export { parseRecordSpec } from "./record.js";
export type { RecordSpec, RecordWhat } from "./record.js";
export { silenceHint, silenceRecords, withSilenceHint, type SilenceHint, type SilentLayer, type HintedResult } from "./silence.js";
