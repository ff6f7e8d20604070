/**
 * nirkit layer viz: Vega-Lite chart builders (plain JSON specs) for graphs, spikes, traces, event
 * frames and platform comparisons, and headless rendering to SVG / Jupyter MIME bundles.
 */
export * from "./spec.js";
export * from "./colors.js";
export * from "./render.js";
export * from "./raster.js";
export * from "./traces.js";
export * from "./layout.js";
export * from "./diagram.js";
export * from "./eventFrame.js";
export * from "./heatmap.js";
export * from "./accuracy.js";
export * from "./weights.js";
export * from "./explore/index.js";
export * from "./png.js";
export * from "./trainingChart.js";
