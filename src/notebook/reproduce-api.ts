/** The notebooks' reproduction API (re-exported by the notebook layer's index). */
export * from "./paper.js";
export * from "./report-values.js";
export { buildReport, harvestReproduced, harvestSvgs, reportMarkdown, type NotebookJson, type NotebookRunSummary, type ReproduceReport, type ReportRow } from "./report.js";
export { reproduce, curatedNotebooks, CURATED_NOTEBOOKS, type ReproduceOptions, type ReproduceResult } from "./reproduce.js";
