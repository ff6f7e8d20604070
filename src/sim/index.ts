/** nirkit layer sim: compile NIR graphs into plans, run them as each platform would, compare activities. */
export { compile, simulate } from "./plan.js";
export type { CompileOptions, EventInput, Plan, RunOptions, SimInput, SimResult } from "./plan.js";
export { PROFILES, profileNames } from "./profiles.js";
export type { Profile, ProfileName, ResetMode } from "./profiles.js";
export { activitySimilarity, argmax, cosineSimilarity, meanOverTime, spikeCounts, spikeSteps, spikeTotal } from "./metrics.js";
export { flattenGraph, scheduleGraph } from "./graph.js";
export { silenceHint, silenceRecords, withSilenceHint, type SilenceHint, type SilentLayer, type HintedResult } from "./silence.js";
