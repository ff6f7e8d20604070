/** The live explorer: nirkit's simulator in the page (see explore.ts). */
export { explore, exploreConfig, type Explorer, type ExploreOptions } from "./explore.js";
export { explorerInput, withParameters, graphToJson, graphFromJson, runSetting, uniformParams, UNIFORM_FIELDS } from "./model.js";
export type { ExploreConfig, ExploreRun, ExploreSettings, InputKind, InputSettings, ParamControl, ParameterEdits, ScaleControl } from "./model.js";
export { settingCode } from "./code.js";
export { explorerBundleCode, explorerBundlePath } from "./bundle-file.js";
