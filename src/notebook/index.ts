/**
 * nirkit layer: notebook — rich display in Jupyter (`show`, renderers for every result kind,
 * progress bars), the kernelspec, the headless notebook runner and the workshop launcher.
 */
export { progress, type ProgressCallback, type ProgressOptions } from "./progress.js";
export { publishBundle, inKernel, type PublishOptions } from "./tslab.js";
export { installKernel, removeKernel, kernelSpec, kernelSpecDir, KERNEL_NAME, KERNEL_DISPLAY_NAME, type KernelTarget, type KernelInstall } from "./kernelspec.js";
export { projectRoot } from "./paths.js";
