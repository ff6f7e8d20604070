/**
 * `nir reproduce`: executes the curated notebooks headlessly (the kernel helper's runner), keeps
 * the executed notebooks, their HTML pages and every SVG figure, and writes REPORT.md and
 * report.json with each reproduced number beside the paper's (harvested from the notebooks'
 * displays, never recomputed or hard-coded here).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { NirError } from "../ir/errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { installKernel } from "./kernelspec.js";
import { projectRoot } from "./paths.js";
import { buildReport, harvestReproduced, harvestSvgs, reportMarkdown, type NotebookJson, type NotebookRunSummary, type ReproduceReport } from "./report.js";
import { runNotebooks, type NotebookRun } from "./run.js";
import { withNotebookParams } from "./params.js";
import type { ReproducedValues } from "./report-values.js";

/** The curated notebooks `nir reproduce` runs, in order (file names under `notebooks/`). */
export const CURATED_NOTEBOOKS = ["00_welcome.ipynb", "01_lif.ipynb", "02_scnn_nmnist.ipynb", "03_rnn_braille.ipynb", "04_train_your_own.ipynb"] as const;

/** Options of {@link reproduce}. */
export interface ReproduceOptions {
  /** Output folder (default `<project>/reproduce`). */
  outDir?: string;
  /** Notebooks to run (default: the curated ones in `<project>/notebooks`). */
  notebooks?: string[];
  /** Per-cell time limit in ms (default 1 800 000: 04's training cell takes minutes per epoch on a busy machine). */
  cellTimeoutMs?: number;
  /** Notebook parameters (see params.ts), e.g. `{ epochs: 1 }` for a short 04_train_your_own. */
  params?: Record<string, string | number>;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** What {@link reproduce} produced. */
export interface ReproduceResult {
  report: ReproduceReport;
  outDir: string;
  reportPath: string;
  jsonPath: string;
  figures: string[];
  runs: NotebookRun[];
}

/** The curated notebooks' paths in this project. */
export function curatedNotebooks(root = projectRoot()): string[] {
  return CURATED_NOTEBOOKS.map((n) => join(root, "notebooks", n));
}

/** Runs the notebooks and writes the executed notebooks, HTML, SVG figures, REPORT.md and report.json. */
export async function reproduce(opts: ReproduceOptions = {}): Promise<ReproduceResult> {
  const log = opts.log ?? (() => undefined);
  const paths = (opts.notebooks ?? curatedNotebooks()).map((p) => resolve(p));
  for (const p of paths) if (!existsSync(p)) throw new NirError("data.not_found", "notebook not found", { file: p, hint: "run from the nirkit project folder or pass existing notebooks" });
  const outDir = resolve(opts.outDir ?? join(projectRoot(), "reproduce"));
  const figDir = join(outDir, "figures");
  mkdirSync(figDir, { recursive: true });
  for (const f of readdirSync(figDir)) if (f.endsWith(".svg")) rmSync(join(figDir, f)); // figures of an earlier run

  installKernel(); // idempotent: a clean clone has no project-local kernelspec yet
  const runs = await withNotebookParams(opts.params, () => runNotebooks(paths, {
    outDir,
    cellTimeoutMs: opts.cellTimeoutMs ?? 1_800_000,
    onCell: (c, total) => log(`  cell ${c.index + 1} ${c.status} (${(c.ms / 1000).toFixed(1)} s; ${total} code cells)`),
    onNotebook: (r) => log(`${basename(r.path)}: ${r.failedCell ? `FAILED at ${r.failedCell.message}` : "all cells ran"} in ${(r.ms / 1000).toFixed(1)} s`),
  }));

  const summaries: NotebookRunSummary[] = [];
  const values: { notebook: string; values: ReproducedValues[] }[] = [];
  const figures: string[] = [];
  for (const r of runs) {
    const name = basename(r.path);
    const nb = JSON.parse(readFileSync(r.ipynbPath, "utf8")) as NotebookJson;
    const ran = r.cells.filter((c) => c.status !== "skipped").length;
    summaries.push({
      notebook: name,
      ok: !r.failedCell,
      cells: ran,
      seconds: r.ms / 1000,
      failedCell: r.failedCell ? r.failedCell.index + 1 : undefined,
      error: r.failedCell?.message,
    });
    values.push({ notebook: name, values: harvestReproduced(nb) });
    const stem = basename(r.path, ".ipynb");
    const seen = new Map<number, number>();
    for (const { cell, svg } of harvestSvgs(nb)) {
      const k = (seen.get(cell) ?? 0) + 1;
      seen.set(cell, k);
      const file = join(figDir, `${stem}-cell${String(cell + 1).padStart(2, "0")}-${k}.svg`);
      writeFileAtomic(file, svg);
      figures.push(file);
    }
  }

  const report = buildReport(summaries, values);
  const reportPath = join(outDir, "REPORT.md");
  const jsonPath = join(outDir, "report.json");
  writeFileAtomic(reportPath, reportMarkdown(report) + "\n");
  writeFileAtomic(jsonPath, JSON.stringify({ ...report, figures: figures.map((f) => f.slice(outDir.length + 1)) }, null, 1) + "\n");
  return { report, outDir, reportPath, jsonPath, figures, runs };
}
