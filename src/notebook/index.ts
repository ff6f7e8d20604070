/**
 * nirkit layer: notebook — rich display in Jupyter (`show`, renderers for every result kind,
 * progress bars), the kernelspec, the headless notebook runner and the workshop launcher.
 */
import { registerNotebookDisplays } from "./renderers.js";

registerNotebookDisplays();

export { show, bundleOf, isVegaLiteSpec } from "./show.js";
export { progress, withProgress, forEachWithProgress, type ProgressCallback, type ProgressOptions } from "./progress.js";
export { DISPLAY_KINDS, registerNotebookDisplays } from "./renderers.js";
export { publishBundle, inKernel, type PublishOptions } from "./tslab.js";
export { graphBundle, parameterRows } from "./display/graph.js";
export { simulationBundle, simulationRows } from "./display/simulation.js";
export { framesBundle } from "./display/frames.js";
export { tableBundle } from "./display/table.js";
export { fitBundle } from "./display/fit.js";
export { installKernel, removeKernel, kernelSpec, kernelSpecDir, KERNEL_NAME, KERNEL_DISPLAY_NAME, type KernelTarget, type KernelInstall } from "./kernelspec.js";
export { projectRoot } from "./paths.js";
export { trainLive, interruptMessage, type TrainLiveOptions } from "./train-live.js";
export { notebookParam, paramEnvName, parseParams, withNotebookParams } from "./params.js";
export { onInterrupt, cooperativeInterrupts } from "./interrupt.js";
export { useData, missingDataLines, WORKSHOP_DATA } from "./use-data.js";
export { lifExplorer, brailleExplorer } from "./explorers.js";
export * from "./reproduce-api.js"; // notebooks engineer: paper readers, reproduced-values display, nir reproduce (src/notebook/{paper,report-values,report,reproduce}.ts)
